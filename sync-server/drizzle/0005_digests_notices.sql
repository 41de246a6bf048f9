CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`workspace_id` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`withdrawn_at` integer
);
--> statement-breakpoint
CREATE INDEX `notices_current` ON `notices` (`starts_at`);--> statement-breakpoint
ALTER TABLE `prefs` ADD `digest_hour` integer DEFAULT 8;--> statement-breakpoint
ALTER TABLE `prefs` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;