-- Functions the SQL source made in schema cansd and no longer makes, or
-- makes with other parameter names (which CREATE OR REPLACE FUNCTION cannot
-- change). The SQL source creates the current ones right after the
-- migrations, so a new database, which has none of these yet, and an old one
-- end the same; before, the source files carried these drops themselves.
-- CASCADE only where a policy calls the function: the SQL source re-creates
-- every policy at each start (sql/functions/base.sql), and until then the
-- tables concerned admit fewer rows, never more (every policy only admits).

-- Gone long ago, on a database that never started since.
DROP FUNCTION IF EXISTS cansd.lookup_roles();
DROP FUNCTION IF EXISTS cansd.lookup_team();
DROP FUNCTION IF EXISTS cansd.begin_read(bigint, text, text);
DROP FUNCTION IF EXISTS cansd.audit_json(cansd.audit_events);
DROP FUNCTION IF EXISTS cansd.user_json(cansd.users);
DROP FUNCTION IF EXISTS cansd.login_lookup(text, text);
DROP FUNCTION IF EXISTS cansd.login_failed(text, text);
DROP FUNCTION IF EXISTS cansd.session_start(bigint, bytea, integer, text, text);
DROP FUNCTION IF EXISTS cansd.session_refresh(bytea, bytea, integer, text, text);
DROP FUNCTION IF EXISTS cansd.case_with_members(cansd.cases);

-- Gone or renamed now: the loaders cansd.case_for_read and
-- cansd.assessment_for_read replace qc_check_assessment, migration 022 the
-- start-up backfill; the rest take whole names for their parameters.
DROP FUNCTION IF EXISTS cansd.account_request_for_decision(bigint);
DROP FUNCTION IF EXISTS cansd.account_request_pending(text);
DROP FUNCTION IF EXISTS cansd.assessment_counted(bigint);
DROP FUNCTION IF EXISTS cansd.assessment_decidable_by_me(cansd.assessments);
DROP FUNCTION IF EXISTS cansd.assessment_editable_by_me(cansd.assessments);
DROP FUNCTION IF EXISTS cansd.assessment_event(bigint,text,bigint,bigint,text,jsonb);
DROP FUNCTION IF EXISTS cansd.assessment_for_change(bigint,integer);
DROP FUNCTION IF EXISTS cansd.assessment_grid(bigint);
DROP FUNCTION IF EXISTS cansd.assessment_missing(bigint);
DROP FUNCTION IF EXISTS cansd.assessment_ratings_json(bigint,bigint);
DROP FUNCTION IF EXISTS cansd.assessment_refresh(bigint);
DROP FUNCTION IF EXISTS cansd.audit_assessment(bigint,text,jsonb);
DROP FUNCTION IF EXISTS cansd.audit_assessment_read(bigint,text);
DROP FUNCTION IF EXISTS cansd.audit_field(text);
DROP FUNCTION IF EXISTS cansd.cans_due_progress(bigint,bigint,text);
DROP FUNCTION IF EXISTS cansd.case_for_change(bigint,integer);
DROP FUNCTION IF EXISTS cansd.case_routed_to_me(bigint) CASCADE;
DROP FUNCTION IF EXISTS cansd.case_touch(bigint);
DROP FUNCTION IF EXISTS cansd.case_workable_id(bigint) CASCADE;
DROP FUNCTION IF EXISTS cansd.certification(bigint,date);
DROP FUNCTION IF EXISTS cansd.check_caseload(bigint,text,bigint);
DROP FUNCTION IF EXISTS cansd.check_relationship(text,text);
DROP FUNCTION IF EXISTS cansd.check_supervisor(bigint);
DROP FUNCTION IF EXISTS cansd.check_user_fields(jsonb);
DROP FUNCTION IF EXISTS cansd.identity(bigint,text);
DROP FUNCTION IF EXISTS cansd.is_active_clinician(bigint);
DROP FUNCTION IF EXISTS cansd.is_active_supervisor(bigint);
DROP FUNCTION IF EXISTS cansd.link_children(bigint,bigint,jsonb);
DROP FUNCTION IF EXISTS cansd.login_attempt(text,text);
DROP FUNCTION IF EXISTS cansd.member_rated(bigint);
DROP FUNCTION IF EXISTS cansd.page_json(json[],bigint[],integer);
DROP FUNCTION IF EXISTS cansd.program_day(timestamp with time zone);
DROP FUNCTION IF EXISTS cansd.program_rule(text,text);
DROP FUNCTION IF EXISTS cansd.qc_check_assessment(bigint);
DROP FUNCTION IF EXISTS cansd.qc_rule_finding(bigint,cansd.qc_rules);
DROP FUNCTION IF EXISTS cansd.qc_run(bigint);
DROP FUNCTION IF EXISTS cansd.rating_input(cansd.assessments,jsonb);
DROP FUNCTION IF EXISTS cansd.report(bigint,text,text,text,text,date,date,text);
DROP FUNCTION IF EXISTS cansd.report_cans_backfill();
DROP FUNCTION IF EXISTS cansd.rfc3339(timestamp with time zone);
DROP FUNCTION IF EXISTS cansd.roles_of(bigint);
DROP FUNCTION IF EXISTS cansd.session_end(bigint,bytea,text,text);
DROP FUNCTION IF EXISTS cansd.session_refresh(bytea,bytea,integer,text,text,integer);
DROP FUNCTION IF EXISTS cansd.session_start(bigint,bytea,integer,text,text,bigint);
DROP FUNCTION IF EXISTS cansd.supervisor_of(bigint);
DROP FUNCTION IF EXISTS cansd.team_of(bigint);
DROP FUNCTION IF EXISTS cansd.users_taken(text);
