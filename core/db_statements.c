/*
 * sql/queries.sql compiled into the binary, so a worker can never run with
 * statements from another version of the source than its own code.
 */
__asm__(".section .rodata\n"
	".global db_statements_sql\n"
	".type db_statements_sql, @object\n"
	"db_statements_sql:\n"
	".incbin \"sql/queries.sql\"\n"
	".byte 0\n"
	".size db_statements_sql, . - db_statements_sql\n"
	".previous\n");
