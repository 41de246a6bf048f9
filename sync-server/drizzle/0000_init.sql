CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `api_tokens_user` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `doc_clients` (
	`doc` text NOT NULL,
	`client_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`doc`, `client_id`)
);
--> statement-breakpoint
CREATE TABLE `doc_snapshots` (
	`doc` text PRIMARY KEY NOT NULL,
	`state` blob NOT NULL,
	`sv` blob NOT NULL,
	`up_to` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `doc_updates` (
	`doc` text NOT NULL,
	`seq` integer NOT NULL,
	`update` blob NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`doc`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `invitations` (
	`workspace_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`invited_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `email`)
);
--> statement-breakpoint
CREATE INDEX `invitations_email` ON `invitations` (`email`);--> statement-breakpoint
CREATE TABLE `memberships` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `memberships_user` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`family_id` text NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_token_hash_unique` ON `refresh_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_family` ON `refresh_tokens` (`family_id`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`title` text NOT NULL,
	`intent` text,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `threads_workspace` ON `threads` (`workspace_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`personal` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`name` text NOT NULL,
	`declared_type` text,
	`type` text,
	`size` integer,
	`sha256` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`touched_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`completed_at` integer,
	`attached_at` integer
);
--> statement-breakpoint
CREATE INDEX `uploads_user` ON `uploads` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `uploads_thread` ON `uploads` (`thread_id`,`status`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`workspace_id` text,
	`intent_id` text,
	`type` text NOT NULL,
	`intent` text NOT NULL,
	`verdict` text NOT NULL,
	`status` text NOT NULL,
	`policy_version` integer NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_workspace` ON `audit_events` (`workspace_id`,`seq`);--> statement-breakpoint
CREATE TABLE `checkpoint_approvals` (
	`checkpoint_id` text NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`checkpoint_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`action` text NOT NULL,
	`requested_by` text NOT NULL,
	`required_approvals` integer NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `checkpoints_target` ON `checkpoints` (`target_id`,`status`);--> statement-breakpoint
CREATE INDEX `checkpoints_workspace` ON `checkpoints` (`workspace_id`,`status`);--> statement-breakpoint
CREATE TABLE `decision_approvals` (
	`decision_id` text NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`decision_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`options` text NOT NULL,
	`outcome` text,
	`required_approvals` integer NOT NULL,
	`due_at` integer,
	`deferred_until` integer,
	`defer_reason` text,
	`proposed_by` text NOT NULL,
	`resolved_by` text,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`resolved_at` integer,
	`history` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `decisions_workspace` ON `decisions` (`workspace_id`,`status`,`opened_at`);--> statement-breakpoint
CREATE INDEX `decisions_thread` ON `decisions` (`thread_id`);--> statement-breakpoint
CREATE TABLE `intents` (
	`id` text PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`type` text NOT NULL,
	`content` text NOT NULL,
	`args` text NOT NULL,
	`verdict` text NOT NULL,
	`workspace_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `intents_actor` ON `intents` (`actor`,`created_at`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`link` text NOT NULL,
	`at` integer NOT NULL,
	`read_at` integer,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE INDEX `notifications_user` ON `notifications` (`user_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe` ON `notifications` (`user_id`,`dedupe_key`);--> statement-breakpoint
CREATE TABLE `prefs` (
	`user_id` text PRIMARY KEY NOT NULL,
	`muted_kinds` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `projected_attachments` (
	`thread_id` text NOT NULL,
	`upload_id` text NOT NULL,
	`name` text NOT NULL,
	`size` integer NOT NULL,
	`type` text NOT NULL,
	`sha256` text NOT NULL,
	PRIMARY KEY(`thread_id`, `upload_id`)
);
--> statement-breakpoint
CREATE TABLE `projected_messages` (
	`key` integer PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`item_id` text NOT NULL,
	`position` integer NOT NULL,
	`message_id` text,
	`author` text,
	`text` text NOT NULL,
	`at` integer,
	`edited_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projected_messages_item` ON `projected_messages` (`thread_id`,`item_id`);--> statement-breakpoint
CREATE INDEX `projected_messages_position` ON `projected_messages` (`thread_id`,`position`);--> statement-breakpoint
CREATE TABLE `projected_threads` (
	`key` integer PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`title` text NOT NULL,
	`intent` text,
	`body` text NOT NULL,
	`message_count` integer NOT NULL,
	`attachment_count` integer NOT NULL,
	`attachment_bytes` integer NOT NULL,
	`activity_at` integer,
	`seq` integer NOT NULL,
	`stamp` blob NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projected_threads_thread_id_unique` ON `projected_threads` (`thread_id`);