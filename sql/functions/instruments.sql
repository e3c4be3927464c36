-- The CANS 2.0 instrument as data. `cansd migrate` copies
-- sql/data/cans-2.0-items.csv into cansd.instrument_staging and calls
-- cansd.instrument_load() in the same transaction, at every start: domains
-- and items in the file's order (the rating form's), module triggers
-- "ITEM>=N" parsed into trigger_item / trigger_min. The file is the only
-- source; nothing here names an item.

CREATE OR REPLACE FUNCTION cansd.instrument_load() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	bad text;
	n integer;
BEGIN
	-- refuse the whole file on the first row that breaks the format
	SELECT format('item %s: %s', coalesce(s.item_code, '?'), problem) INTO bad
	FROM (SELECT s.*, CASE
		WHEN s.item_code !~ '^[A-Z0-9_]{1,64}$' THEN 'item_code must be A-Z, 0-9 and _'
		WHEN s.domain_code !~ '^[A-Z0-9_]{1,64}$' THEN 'domain_code must be A-Z, 0-9 and _'
		WHEN s.subject NOT IN ('child', 'caregiver') THEN 'subject must be child or caregiver'
		WHEN s.scale NOT IN ('need', 'strength') THEN 'scale must be need or strength'
		WHEN coalesce(s.min_age_months, '0') !~ '^\d{1,4}$' THEN 'min_age_months must be a number'
		WHEN coalesce(s.max_age_months, '0') !~ '^\d{1,4}$' THEN 'max_age_months must be a number'
		WHEN s.rated_when IS NOT NULL AND s.rated_when !~ '^[A-Z0-9_]{1,64}>=[0-3]$'
			THEN 'rated_when must be ITEM>=N (N 0 to 3)'
		WHEN s.rated_when IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM cansd.instrument_staging t
			WHERE t.item_code = split_part(s.rated_when, '>=', 1) AND t.subject = 'child')
			THEN 'rated_when names no child item of the file'
		END AS problem
	      FROM cansd.instrument_staging s) s
	WHERE problem IS NOT NULL LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'instrument file: %', bad;
	END IF;
	IF (SELECT count(*) FROM cansd.instrument_staging) = 0 THEN
		RAISE EXCEPTION 'instrument file: no items';
	END IF;

	WITH domains AS (
		SELECT domain_code, min(domain_name) AS domain_name, min(line) AS first_line
		FROM cansd.instrument_staging GROUP BY domain_code)
	INSERT INTO cansd.instrument_domains (code, name, sort_order, active)
	SELECT domain_code, domain_name, row_number() OVER (ORDER BY first_line), true FROM domains
	ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, sort_order = EXCLUDED.sort_order,
		active = true;
	UPDATE cansd.instrument_domains SET active = false
	WHERE code NOT IN (SELECT domain_code FROM cansd.instrument_staging);

	INSERT INTO cansd.instrument_items (code, domain_code, name, subject, scale, min_age_months,
		max_age_months, rated_when, trigger_item, trigger_min, sort_order, active)
	SELECT s.item_code, s.domain_code, s.item_name, s.subject, s.scale,
	       coalesce(s.min_age_months, '0')::integer, s.max_age_months::integer, s.rated_when,
	       nullif(split_part(s.rated_when, '>=', 1), ''),
	       nullif(split_part(s.rated_when, '>=', 2), '')::smallint,
	       row_number() OVER (ORDER BY s.line), true
	FROM cansd.instrument_staging s
	ON CONFLICT (code) DO UPDATE SET domain_code = EXCLUDED.domain_code, name = EXCLUDED.name,
		subject = EXCLUDED.subject, scale = EXCLUDED.scale,
		min_age_months = EXCLUDED.min_age_months, max_age_months = EXCLUDED.max_age_months,
		rated_when = EXCLUDED.rated_when, trigger_item = EXCLUDED.trigger_item,
		trigger_min = EXCLUDED.trigger_min, sort_order = EXCLUDED.sort_order, active = true;
	UPDATE cansd.instrument_items SET active = false
	WHERE code NOT IN (SELECT item_code FROM cansd.instrument_staging);
	GET DIAGNOSTICS n = ROW_COUNT;

	INSERT INTO cansd.instrument_meta (instrument, etag, loaded_at)
	VALUES ('CANS-2.0', md5(cansd.instrument_json()::text), now())
	ON CONFLICT (instrument) DO UPDATE SET etag = EXCLUDED.etag, loaded_at = EXCLUDED.loaded_at;
	DELETE FROM cansd.instrument_staging;
	RETURN (SELECT count(*) FROM cansd.instrument_items WHERE active)::integer;
END
$$;

-- GET /instruments/cans-2.0: domains in form order, each with its items.
CREATE OR REPLACE FUNCTION cansd.instrument_json() RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('instrument', 'CANS-2.0', 'version', '2.0',
		'rating_scale', json_build_object(
			'need', json_build_array('no evidence', 'watch/prevent', 'action needed',
			                         'immediate/intensive action'),
			'strength', json_build_array('centerpiece', 'useful', 'identified',
			                             'not yet identified')),
		'domains', coalesce(json_agg(json_build_object(
			'code', d.code, 'name', d.name, 'items', (
				SELECT json_agg(json_build_object(
					'code', i.code, 'name', i.name, 'subject', i.subject, 'scale', i.scale,
					'min_age_months', i.min_age_months, 'max_age_months', i.max_age_months,
					'rated_when', i.rated_when,
					'module_trigger', CASE WHEN i.trigger_item IS NOT NULL THEN
						json_build_object('item', i.trigger_item, 'min_rating', i.trigger_min) END)
					ORDER BY i.sort_order)
				FROM cansd.instrument_items i WHERE i.domain_code = d.code AND i.active))
			ORDER BY d.sort_order), '[]'))
	FROM cansd.instrument_domains d WHERE d.active
$$;

CREATE OR REPLACE FUNCTION api.instruments_get(actor bigint, request_id text, client_addr text,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	body := cansd.instrument_json()::text;
	etag := (SELECT m.etag FROM cansd.instrument_meta m WHERE m.instrument = 'CANS-2.0');
END
$$;
