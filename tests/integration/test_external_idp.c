/*
 * One external identity provider (CANSD_JWT_EXTERNAL_*): its tokens are
 * accepted when iss, aud and kid match and preferred_username (or sub) names
 * an active user; roles still come from our database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#define jwt_alg libjwt_alg /* libjwt's enum tag; ours is not included here */
#include <jwt.h>
#undef jwt_alg

#include "tests/support/http.h"
#include "tests/support/response_check.h"
#include "tests/support/problem_assert.h"

static char *idp_pem;
static char idp_kid[128];

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *data = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&data, &len, '\0', f) < 0) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

static int setup(void **state)
{
	char path[4096];
	json_t *jwks;
	const char *kid;

	(void)state;
	idp_pem = read_file(test_env("CANSD_TEST_IDP_KEY"));
	snprintf(path, sizeof(path), "%s/idp/jwks.json", test_env("CANSD_TEST_VAR_DIR"));
	jwks = json_load_file(path, 0, NULL);
	kid = json_string_value(
		json_object_get(json_array_get(json_object_get(jwks, "keys"), 0), "kid"));
	if (!idp_pem || !kid)
		return -1;
	snprintf(idp_kid, sizeof(idp_kid), "%s", kid);
	json_decref(jwks);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(idp_pem);
	return 0;
}

/*
 * A token signed with the provider's key; NULL claims are left out. extra,
 * when not NULL, is a JSON object of more claims (e.g. roles).
 */
static char *idp_token_with(const char *iss, const char *aud, const char *username, const char *sub,
			    const char *extra)
{
	jwt_t *jwt = NULL;
	time_t now = time(NULL);
	char *token;

	jwt_new(&jwt);
	jwt_set_alg(jwt, JWT_ALG_RS256, (const unsigned char *)idp_pem, (int)strlen(idp_pem));
	jwt_add_header(jwt, "kid", idp_kid);
	jwt_add_grant(jwt, "iss", iss);
	jwt_add_grant(jwt, "aud", aud);
	if (username)
		jwt_add_grant(jwt, "preferred_username", username);
	if (sub)
		jwt_add_grant(jwt, "sub", sub);
	jwt_add_grant_int(jwt, "iat", now);
	jwt_add_grant_int(jwt, "exp", now + 300);
	if (extra && jwt_add_grants_json(jwt, extra) != 0) {
		jwt_free(jwt);
		return NULL;
	}
	token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

static char *idp_token(const char *iss, const char *aud, const char *username, const char *sub)
{
	return idp_token_with(iss, aud, username, sub, NULL);
}

static void expect_me(const char *token, long status, const char *username)
{
	struct http_response r;

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_status(&r, status);
	if (username)
		assert_string_equal(json_string_value(json_object_get(r.json, "username")),
				    username);
	http_free(&r);
	free((void *)token);
}

static void test_provider_token_names_an_existing_user(void **state)
{
	(void)state;
	expect_me(idp_token("https://idp.example.test", "cansd-external", "admin", "ext-123"), 200,
		  "admin");
}

static void test_sub_is_used_when_preferred_username_is_absent(void **state)
{
	(void)state;
	expect_me(idp_token("https://idp.example.test", "cansd-external", NULL, "admin"), 200,
		  "admin");
}

static void test_provider_token_for_an_unknown_user_is_401(void **state)
{
	(void)state;
	expect_me(idp_token("https://idp.example.test", "cansd-external", "nobody-at-all", NULL),
		  401, NULL);
}

static void test_provider_token_with_wrong_audience_is_401(void **state)
{
	(void)state;
	expect_me(idp_token("https://idp.example.test", "cansd-api", "admin", NULL), 401, NULL);
}

static void test_provider_key_cannot_sign_for_our_issuer(void **state)
{
	(void)state;
	expect_me(idp_token("cansd", "cansd-api", NULL, "1"), 401, NULL);
}

/*
 * A worker's provider token that claims program_admin (in the shapes
 * providers use: roles, groups, realm_access.roles, scope) is still a
 * worker's: /me shows worker only, and an admin-only route refuses it.
 */
static void test_provider_roles_claim_grants_nothing(void **state)
{
	const char *name = test_unique("extw");
	char *admin = http_admin_token();
	char *id, *token;
	struct http_response r;
	json_t *roles;

	(void)state;
	assert_non_null(admin);
	id = http_create_user(admin, name, "[\"worker\"]", NULL, "external idp password");
	assert_non_null(id);
	token = idp_token_with("https://idp.example.test", "cansd-external", name, NULL,
			       "{\"roles\":[\"program_admin\"],\"groups\":[\"program_admin\"],"
			       "\"realm_access\":{\"roles\":[\"program_admin\"]},"
			       "\"scope\":\"program_admin\"}");
	assert_non_null(token);

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), name);
	roles = json_object_get(r.json, "roles");
	assert_int_equal(json_array_size(roles), 1);
	assert_string_equal(json_string_value(json_array_get(roles, 0)), "worker");
	http_free(&r);

	/* What program_admin could do, this token cannot. */
	http_call(&r, "GET", "/api/v1/audit", token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	http_json(&r, "POST", "/api/v1/users", token, "{}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);

	free(token);
	free(id);
	free(admin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_token_names_an_existing_user),
		cmocka_unit_test(test_sub_is_used_when_preferred_username_is_absent),
		cmocka_unit_test(test_provider_token_for_an_unknown_user_is_401),
		cmocka_unit_test(test_provider_token_with_wrong_audience_is_401),
		cmocka_unit_test(test_provider_key_cannot_sign_for_our_issuer),
		cmocka_unit_test(test_provider_roles_claim_grants_nothing),
	};

	return cmocka_run_group_tests_name("external identity provider", tests, setup, teardown);
}
