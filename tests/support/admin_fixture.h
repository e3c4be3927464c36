/*
 * The group setup most integration tests share: the bootstrap admin's token
 * in admin_token for the whole binary (cmocka_run_group_tests(tests,
 * admin_setup, admin_teardown)).
 */
#ifndef CANSD_TEST_ADMIN_FIXTURE_H
#define CANSD_TEST_ADMIN_FIXTURE_H

extern char *admin_token;

int admin_setup(void **state);
int admin_teardown(void **state);

#endif
