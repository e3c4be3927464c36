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

/* A token signed with the provider's key; NULL claims are left out. */
static char *idp_token(const char *iss, const char *aud, const char *username, const char *sub)
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
	token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

static void expect_me(const char *token, long status, const char *username)
{
	struct http_response r;

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	if (r.status != status)
		fprintf(stderr, "expected %ld, got %ld: %s\n", status, r.status, r.body);
	assert_int_equal(r.status, status);
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

static void test_provider_token_has_no_say_in_roles(void **state)
{
	struct http_response r;
	char *token = idp_token("https://idp.example.test", "cansd-external", "admin", NULL);
	json_t *roles;

	(void)state;
	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	roles = json_object_get(r.json, "roles");
	assert_int_equal(json_array_size(roles), 1);
	assert_string_equal(json_string_value(json_array_get(roles, 0)), "program_admin");
	http_free(&r);
	free(token);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_token_names_an_existing_user),
		cmocka_unit_test(test_sub_is_used_when_preferred_username_is_absent),
		cmocka_unit_test(test_provider_token_for_an_unknown_user_is_401),
		cmocka_unit_test(test_provider_token_with_wrong_audience_is_401),
		cmocka_unit_test(test_provider_key_cannot_sign_for_our_issuer),
		cmocka_unit_test(test_provider_token_has_no_say_in_roles),
	};

	return cmocka_run_group_tests_name("external identity provider", tests, setup, teardown);
}
