-- Training catalogue, training records and the one place certification
-- currency is computed (cansd.certification). Every check that needs it, C
-- or SQL, calls that function, so a new or corrected record takes effect on
-- the very next request.

CREATE TABLE cansd.trainings (
	code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,64}$'),
	name               text NOT NULL,
	expires_after_days integer CHECK (expires_after_days > 0),
	-- which condition of the certification rule a completion satisfies:
	-- 'cans_2_0' (certification or recertification) or 'sacwis'; NULL: none
	certification_role text CHECK (certification_role IN ('cans_2_0', 'sacwis')),
	sort_order         integer NOT NULL DEFAULT 0
);

INSERT INTO cansd.trainings (code, name, expires_after_days, certification_role, sort_order) VALUES
	('CANS_2_0_CERTIFICATION', 'CANS 2.0 certification', 365, 'cans_2_0', 1),
	('CANS_2_0_RECERTIFICATION', 'CANS 2.0 recertification', 365, 'cans_2_0', 2),
	('CANS_SACWIS_FUNCTIONALITY', 'CANS in SACWIS functionality', NULL, 'sacwis', 3),
	('CANS_1_0_CERTIFICATION', 'CANS 1.0 certification (superseded; never makes anyone current)', 365, NULL, 4);

CREATE TABLE cansd.training_records (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id       bigint NOT NULL REFERENCES cansd.users (id),
	training_code text NOT NULL REFERENCES cansd.trainings (code),
	completed_on  date NOT NULL,
	score         numeric(5, 2) CHECK (score BETWEEN 0 AND 100),
	recorded_by   bigint REFERENCES cansd.users (id),
	recorded_at   timestamptz NOT NULL DEFAULT now(),
	version       integer NOT NULL DEFAULT 1
);
CREATE INDEX training_records_user_idx ON cansd.training_records (user_id, training_code, completed_on);

ALTER TABLE cansd.trainings ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON cansd.trainings TO cansd_app;
