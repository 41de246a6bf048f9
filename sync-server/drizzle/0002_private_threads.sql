CREATE TABLE `thread_members` (
	`thread_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`thread_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `thread_members_user` ON `thread_members` (`user_id`);--> statement-breakpoint
ALTER TABLE `threads` ADD `visibility` text DEFAULT 'workspace' NOT NULL;--> statement-breakpoint
ALTER TABLE `threads` ADD `conversation_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `threads_conversation` ON `threads` (`workspace_id`,`conversation_key`);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `private_thread_id` text;