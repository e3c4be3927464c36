#include "mint.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "http.h"
#include "jwt_forge.h"

char *mint_user(const char *prefix, const char *roles_sql, const char *supervisor_id,
		const char *program)
{
	const char *name = test_unique(prefix);
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, "
		 "program)"
		 " VALUES ('%s', 'Test %s', '%s@example.org', %s, %s, %s%s%s) RETURNING id",
		 name, name, name, roles_sql, supervisor_id ? supervisor_id : "NULL",
		 program ? "'" : "", program ? program : "NULL", program ? "'" : "");
	return test_psql(sql);
}

char *mint_token(const char *admin_token, const char *user_id)
{
	char path[1024], *header, *payload, *token;
	json_t *h = forge_segment_json(admin_token, 0), *p = forge_segment_json(admin_token, 1);
	EVP_PKEY *key;

	if (!h || !p)
		abort();
	snprintf(path, sizeof(path), "%s/keys/jwt-signing.pem", test_env("CANSD_TEST_VAR_DIR"));
	key = forge_load_private_pem(path);
	json_object_set_new(p, "sub", json_string(user_id));
	json_object_set_new(p, "jti", json_string(test_unique("mint")));
	header = json_dumps(h, JSON_COMPACT);
	payload = json_dumps(p, JSON_COMPACT);
	token = forge_sign(header, payload, FORGE_RS256, key);
	free(header);
	free(payload);
	json_decref(h);
	json_decref(p);
	EVP_PKEY_free(key);
	return token;
}

void mint_person_new(struct mint_person *p, const char *admin_token, const char *prefix,
		     const char *roles_sql, const char *supervisor_id, const char *program,
		     const char *certified_on)
{
	char sql[512];

	p->id = mint_user(prefix, roles_sql, supervisor_id, program);
	assert_non_null(p->id);
	if (certified_on) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO cansd.training_records (user_id, training_code, completed_on)"
			 " SELECT %s, c, %s FROM unnest(ARRAY['CANS_2_0_CERTIFICATION', "
			 "'CANS_SACWIS_FUNCTIONALITY']) c",
			 p->id, certified_on);
		free(test_psql(sql));
	}
	p->token = mint_token(admin_token, p->id);
}

void mint_person_free(struct mint_person *p)
{
	free(p->id);
	free(p->token);
}
