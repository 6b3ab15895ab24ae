/*
 * statement.h — declaring a SQL statement once, and running it with exactly the number
 * of parameters it declares (the compiler counts them).
 *
 * A module's repo.h declares what it offers, with the arity the SQL uses:
 *
 *     STATEMENT_DECLARE(device_by_id, 1);
 *
 * and its repo.c holds the text, beside the column map its rows follow, with what a
 * conflict or a broken reference means for this statement when it is not the default:
 *
 *     STATEMENT(device_by_id, "SELECT " DEVICE_SELECT " FROM devices d WHERE d.id = $1::uuid");
 *     STATEMENT(device_insert, "INSERT …", .conflict = "externalId: already registered");
 *
 * Callers run it with db_run(req, device_by_id, id) in the FastCGI runtime, or
 * statement_exec(db, arena, stmt, &res, …) in a daemon. A call with the wrong number of
 * parameters does not compile ("size of unnamed array is negative"). Parameters are text
 * (NULL is SQL NULL); SQL is never built from input.
 */
#ifndef STATION_STATEMENT_H
#define STATION_STATEMENT_H

#include "db.h"

#define STATEMENT_DECLARE(name, arity)          \
	enum { name##_arity = (arity) };        \
	extern struct db_stmt name
#define STATEMENT(name, sql_, ...) struct db_stmt name = { .sql = (sql_), .nparams = name##_arity, __VA_ARGS__ }
/* A statement used by one file only. */
#define STATEMENT_LOCAL(name, arity, sql_, ...)  \
	enum { name##_arity = (arity) };         \
	static struct db_stmt name = { .sql = (sql_), .nparams = name##_arity, __VA_ARGS__ }

/* The parameters as an array, and their count (both fine with no parameters at all). */
#define STATEMENT_ARGS(...) ((const char *const[]){ NULL, __VA_ARGS__ } + 1)
#define STATEMENT_ARGC(...) ((int)(sizeof((const char *const[]){ NULL, __VA_ARGS__ }) / sizeof(const char *)) - 1)
/* The count, after a compile-time check against the declaration. */
#define STATEMENT_ARITY_CHECKED(stmt, ...)                                                        \
	(0 * (int)sizeof(char[STATEMENT_ARGC(__VA_ARGS__) == stmt##_arity ? 1 : -1]) +           \
	 STATEMENT_ARGC(__VA_ARGS__))

/* Daemons and tools: the status of the statement, *out its result (released with arena). */
#define statement_exec(db, arena, stmt, out, ...)                                                 \
	db_exec_counted((db), (arena), &(stmt), STATEMENT_ARGS(__VA_ARGS__),                    \
			STATEMENT_ARITY_CHECKED(stmt, __VA_ARGS__), (out))

#endif
