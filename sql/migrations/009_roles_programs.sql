-- The one list of roles a user can be granted and the one list of programs,
-- as data: every column that holds a role or a program refers to these
-- tables instead of repeating the names in a CHECK. core/roles.h is the C
-- side; tests/statements/check.sh fails when the two lists differ. A new
-- program is a row here (and in core/roles.c), not a change to each table.

CREATE TABLE cansd.roles (
	name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z_]{1,62}$')
);
INSERT INTO cansd.roles (name) VALUES
	('worker'), ('supervisor'), ('certification_office'), ('qa_analyst'), ('program_admin');

CREATE TABLE cansd.programs (
	code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$')
);
INSERT INTO cansd.programs (code) VALUES ('IPS'), ('IFPS');

GRANT SELECT ON cansd.roles, cansd.programs TO cansd_app;

-- A foreign key cannot reach into an array: users.roles is checked against
-- cansd.roles by the trigger users_roles_known (migration 022).
ALTER TABLE cansd.users DROP CONSTRAINT users_roles_check;
ALTER TABLE cansd.users DROP CONSTRAINT users_program_check;
ALTER TABLE cansd.users ADD CONSTRAINT users_program_fkey
	FOREIGN KEY (program) REFERENCES cansd.programs (code);
ALTER TABLE cansd.account_requests DROP CONSTRAINT account_requests_program_check;
ALTER TABLE cansd.account_requests ADD CONSTRAINT account_requests_program_fkey
	FOREIGN KEY (program) REFERENCES cansd.programs (code);
ALTER TABLE cansd.program_rules DROP CONSTRAINT program_rules_program_check;
ALTER TABLE cansd.program_rules ADD CONSTRAINT program_rules_program_fkey
	FOREIGN KEY (program) REFERENCES cansd.programs (code);
ALTER TABLE cansd.cases DROP CONSTRAINT cases_program_check;
ALTER TABLE cansd.cases ADD CONSTRAINT cases_program_fkey
	FOREIGN KEY (program) REFERENCES cansd.programs (code);
