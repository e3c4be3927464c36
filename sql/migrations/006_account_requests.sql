-- Account requests: a supervisor asks for an account for a new worker on
-- their team, a program admin approves (which creates the user, role worker,
-- under that supervisor) or rejects it. The new account has no password:
-- it cannot log in until an admin sets one with PATCH /users/{id}.

CREATE TABLE cansd.account_requests (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username      text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
	full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
	email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
	program       text NOT NULL CHECK (program IN ('IPS', 'IFPS')),
	-- the requester, who is also the new worker's supervisor
	requested_by  bigint NOT NULL REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	supervisor_id bigint NOT NULL REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	status        text NOT NULL DEFAULT 'pending'
	              CHECK (status IN ('pending', 'approved', 'rejected')),
	reason        text CHECK (length(reason) BETWEEN 1 AND 1000),
	decided_by    bigint REFERENCES cansd.users (id),
	decided_at    timestamptz,
	user_id       bigint REFERENCES cansd.users (id),
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'pending') = (decided_at IS NULL)),
	CHECK ((status = 'approved') = (user_id IS NOT NULL)),
	CHECK (status = 'rejected' OR reason IS NULL)
);
-- Two pending requests for one username would make the second approval fail.
CREATE UNIQUE INDEX account_requests_pending_username_idx
	ON cansd.account_requests (username) WHERE status = 'pending';
CREATE INDEX account_requests_requested_by_idx ON cansd.account_requests (requested_by, id);

-- Program admins see and decide all; a supervisor files and sees their own.
ALTER TABLE cansd.account_requests ENABLE ROW LEVEL SECURITY;

-- requested_by and supervisor_id come from the defaults: the caller.
GRANT SELECT ON cansd.account_requests TO cansd_app;
GRANT INSERT (username, full_name, email, program) ON cansd.account_requests TO cansd_app;
GRANT UPDATE (status, reason, decided_by, decided_at, user_id, updated_at)
	ON cansd.account_requests TO cansd_app;
