/*
 * Access tokens for users a test creates in the database directly: the
 * admin's token with another subject, signed with the stack's own key
 * (CANSD_TEST_VAR_DIR/keys/jwt-signing.pem). It spares a password hash per
 * user, which under AddressSanitizer on a busy machine costs seconds; the
 * login path itself is proved by test_foundation and test_jwt_attacks.
 */
#ifndef CANSD_TEST_MINT_H
#define CANSD_TEST_MINT_H

/* A user (active, no password) straight into cansd.users; returns the id, malloc'd. */
char *mint_user(const char *prefix, const char *roles_sql, const char *supervisor_id,
		const char *program);

/* A valid access token for user_id, shaped like admin_token (malloc'd). */
char *mint_token(const char *admin_token, const char *user_id);

/* A minted user and a token for it. */
struct mint_person {
	char *id;
	char *token;
};

/*
 * mint_user, then mint_token; when certified_on (an SQL date expression:
 * "'2019-06-01'", "current_date - 10") is not NULL, the CANS 2.0
 * certification and the SACWIS training completed that day.
 */
void mint_person_new(struct mint_person *p, const char *admin_token, const char *prefix,
		     const char *roles_sql, const char *supervisor_id, const char *program,
		     const char *certified_on);
void mint_person_free(struct mint_person *p);

#endif
