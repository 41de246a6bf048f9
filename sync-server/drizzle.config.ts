import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: '../schema/src/db/tables.ts',
  out: './drizzle',
});
