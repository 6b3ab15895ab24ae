/*
 * webhook.h — the webhook action's HTTP requests, made by libcurl on one worker thread so
 * that automationd's event loop never waits for a remote server.
 *
 * The loop submits a request (copied) and watches webhooks_fd(): readable when results
 * are ready, taken with webhooks_take(). The thread runs every request at once with
 * curl multi, each bounded by its node's timeoutMs. Rules: http and https only; no
 * redirect is followed (a 3xx is a failed step: the response says where, the station
 * does not go there); a response body larger than max_response bytes is cut off and the
 * step fails; at most keep_bytes of the body are returned for the step's output.
 * The thread is started at the first request (an automationd without webhooks never
 * starts it) and never logs; it touches nothing of the loop's but the two queues.
 */
#ifndef AUTOMATIOND_WEBHOOK_H
#define AUTOMATIOND_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#define WEBHOOK_ID_SIZE 40

struct webhook_request {
	char step_id[WEBHOOK_ID_SIZE];
	char run_id[WEBHOOK_ID_SIZE];
	const char *url;
	bool post;
	const char *body;      /* NULL: none */
	bool body_is_json;     /* Content-Type: application/json, else text/plain */
	long timeout_ms;
};

struct webhook_result {
	char step_id[WEBHOOK_ID_SIZE];
	char run_id[WEBHOOK_ID_SIZE];
	long status;           /* the HTTP status, 0 when none arrived */
	char *body;            /* the first keep_bytes of the body (NUL-terminated) */
	size_t body_len;
	bool body_cut;         /* the body was longer than what is kept */
	char error[256];       /* "" when a response arrived in full */
	long elapsed_ms;
	struct webhook_result *next;
};

struct webhooks;

struct webhooks *webhooks_new(size_t max_response, size_t keep_bytes);
/* Stops the thread (requests in flight are abandoned) and frees everything. */
void webhooks_free(struct webhooks *w);
/* Readable when results wait; -1 before the first request. */
int webhooks_fd(const struct webhooks *w);
/* Queues a request; false when the thread cannot be started (then the step fails). */
bool webhooks_submit(struct webhooks *w, const struct webhook_request *req);
/* The next result, or NULL; free it with webhook_result_free(). */
struct webhook_result *webhooks_take(struct webhooks *w);
void webhook_result_free(struct webhook_result *r);

#endif
