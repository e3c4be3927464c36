-- The stored CANS body (migration 018) stays in the row. A full CANS's JSON
-- (about 4.4 KB, 1.9 KB with lz4) left the row just above the 2 KB at which
-- PostgreSQL moves a long value out of line, so every read of a CANS also
-- looked it up in the TOAST table (an index scan and a heap fetch more).
-- MAIN still compresses, and moves the value out of line only when the
-- compressed row would not fit a page (about 8 KB).
-- Rows written before keep their out-of-line body until their next write
-- (an approved CANS: for good); they read as before, only slower.
ALTER TABLE cansd.assessments ALTER COLUMN body SET STORAGE MAIN;
