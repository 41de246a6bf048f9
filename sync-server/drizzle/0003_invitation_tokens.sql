-- Invitations become tokens the invitee accepts. The old rows (turned into memberships by whoever
-- signed up with the address first) carry no token and cannot be accepted: they are dropped, and
-- owners invite again.
DROP TABLE `invitations`;--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`invited_by` text NOT NULL,
	`token_hash` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`answered_at` integer,
	`answered_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_workspace` ON `invitations` (`workspace_id`,`status`);--> statement-breakpoint
CREATE INDEX `invitations_email` ON `invitations` (`email`,`status`);--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;
