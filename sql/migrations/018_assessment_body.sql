-- A CANS as GET /assessments/{id} shows it, kept with the row.
--
-- Reading a CANS built its JSON on every read (the summary, seven
-- timestamps, and the ratings and sections decompressed and copied into
-- one text). The body is now written by a BEFORE INSERT OR UPDATE trigger
-- (cansd.assessment_body, migration 022; the SQL source made it before)
-- from the same cansd.assessment_json, so a read only fetches it; lz4 because it decompresses several times faster
-- than the default pglz and a 4 KB body stays in the row.
ALTER TABLE cansd.assessments ADD COLUMN body text;
ALTER TABLE cansd.assessments ALTER COLUMN body SET COMPRESSION lz4;
