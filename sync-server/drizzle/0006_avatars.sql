ALTER TABLE `users` ADD `avatar_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `avatar_updated_at` integer;