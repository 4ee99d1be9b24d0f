import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("allowed_ranges")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Normalised by the service (network address and prefix), so equal blocks are equal text.
    .addColumn("cidr", "text", (col) => col.notNull())
    .addColumn("family", "smallint", (col) => col.notNull().check(sql`family in (4, 6)`))
    .addColumn("description", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index allowed_ranges_cidr_key on allowed_ranges (cidr)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("allowed_ranges").execute();
}
