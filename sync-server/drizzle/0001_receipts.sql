CREATE TABLE `receipts` (
	`intent_id` text NOT NULL,
	`kind` text NOT NULL,
	`kid` text NOT NULL,
	`receipt` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`intent_id`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `receipts_kid` ON `receipts` (`kid`);