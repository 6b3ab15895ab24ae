/*
 * webhook.c — webhook requests on a worker thread with curl multi (see webhook.h).
 *
 * Two queues under one mutex: requests the loop submitted (the thread moves them into its
 * multi handle) and results the thread finished (the loop takes them). A pipe wakes the
 * loop; curl_multi_wakeup wakes the thread. Each transfer owns its copies of the URL and
 * the body, so nothing the loop frees is ever read by the thread.
 */
#include "infrastructure/webhook.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "timeutil.h"

struct transfer {
	struct webhook_request req;  /* url and body point to the copies below */
	char *url, *body;
	size_t max_response, keep_bytes;
	CURL *easy;
	struct curl_slist *headers;
	struct webhook_result *result;
	size_t received;
	bool too_big;
	long long started_ms;
	struct transfer *next;
};

struct webhooks {
	size_t max_response, keep_bytes;
	pthread_mutex_t lock;
	pthread_t thread;
	bool started, stopping;
	CURLM *multi;
	int pipe_fd[2];
	struct transfer *queued;     /* submitted, not yet in the multi handle */
	struct webhook_result *done_head, *done_tail;
};

struct webhooks *webhooks_new(size_t max_response, size_t keep_bytes)
{
	struct webhooks *w = xcalloc(1, sizeof *w);
	w->max_response = max_response;
	w->keep_bytes = keep_bytes;
	w->pipe_fd[0] = w->pipe_fd[1] = -1;
	pthread_mutex_init(&w->lock, NULL);
	return w;
}

void webhook_result_free(struct webhook_result *r)
{
	if (r) {
		free(r->body);
		free(r);
	}
}

static void transfer_free(struct transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	webhook_result_free(t->result);
	free(t->url);
	free(t->body);
	free(t);
}

/* Keeps the first keep_bytes of the body; aborts past max_response (CURLE_WRITE_ERROR). */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	struct webhook_result *r = t->result;
	size_t len = size * n;
	t->received += len;
	if (t->received > t->max_response) {
		t->too_big = true;
		return 0;
	}
	if (r->body_len < t->keep_bytes) {
		size_t take = t->keep_bytes - r->body_len < len ? t->keep_bytes - r->body_len : len;
		memcpy(r->body + r->body_len, data, take);
		r->body_len += take;
		r->body[r->body_len] = '\0';
	}
	r->body_cut = t->received > r->body_len;
	return len;
}

static bool transfer_start(struct webhooks *w, struct transfer *t)
{
	CURL *e = t->easy = curl_easy_init();
	if (!e)
		return false;
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->req.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->req.timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "smart-station-automationd");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	if (t->req.post) {
		const char *body = t->body ? t->body : "";
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		t->headers = curl_slist_append(NULL, t->req.body_is_json ? "Content-Type: application/json"
									 : "Content-Type: text/plain; charset=utf-8");
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	}
	t->started_ms = time_monotonic_ms();
	return curl_multi_add_handle(w->multi, e) == CURLM_OK;
}

/* A transfer ended: its result goes to the loop's queue, and the loop is woken. */
static void transfer_done(struct webhooks *w, struct transfer *t, CURLcode code)
{
	struct webhook_result *r = t->result;
	t->result = NULL;
	r->elapsed_ms = (long)(time_monotonic_ms() - t->started_ms);
	if (t->easy)
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (t->too_big)
		snprintf(r->error, sizeof r->error, "response larger than %zu bytes", t->max_response);
	else if (code == CURLE_OPERATION_TIMEDOUT)
		snprintf(r->error, sizeof r->error, "timed out after %ld ms", t->req.timeout_ms);
	else if (code != CURLE_OK)
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(code));
	if (t->easy)
		curl_multi_remove_handle(w->multi, t->easy);
	transfer_free(t);
	pthread_mutex_lock(&w->lock);
	if (w->done_tail)
		w->done_tail->next = r;
	else
		w->done_head = r;
	w->done_tail = r;
	pthread_mutex_unlock(&w->lock);
	ssize_t ignored = write(w->pipe_fd[1], "r", 1); /* a full pipe already wakes the loop */
	(void)ignored;
}

static void *thread_main(void *arg)
{
	struct webhooks *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		bool stopping = w->stopping;
		struct transfer *list = w->queued;
		w->queued = NULL;
		pthread_mutex_unlock(&w->lock);
		while (list) {
			struct transfer *t = list;
			list = t->next;
			if (stopping)
				transfer_free(t);
			else if (!transfer_start(w, t))
				transfer_done(w, t, CURLE_FAILED_INIT);
		}
		if (stopping)
			break;
		int running = 0, left = 0;
		curl_multi_perform(w->multi, &running);
		CURLMsg *m;
		while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct transfer *t = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			CURLcode code = m->data.result;
			transfer_done(w, t, code);
		}
		curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

static bool start_thread(struct webhooks *w)
{
	if (w->started)
		return true;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(w->multi = curl_multi_init()))
		return false;
	if (pipe(w->pipe_fd) != 0)
		return false;
	for (int i = 0; i < 2; i++)
		fcntl(w->pipe_fd[i], F_SETFL, fcntl(w->pipe_fd[i], F_GETFL) | O_NONBLOCK);
	/* Small stack: the thread holds curl's state, not ours. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	w->started = pthread_create(&w->thread, &attr, thread_main, w) == 0;
	pthread_attr_destroy(&attr);
	return w->started;
}

/* A copy the thread owns (xmalloc: running out of memory aborts, as everywhere). */
static char *copy_text(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

bool webhooks_submit(struct webhooks *w, const struct webhook_request *req)
{
	if (!start_thread(w))
		return false;
	struct transfer *t = xcalloc(1, sizeof *t);
	struct webhook_result *r = xcalloc(1, sizeof *r);
	char *body = xmalloc(w->keep_bytes + 1);
	t->req = *req;
	t->url = copy_text(req->url);
	t->body = req->body ? copy_text(req->body) : NULL;
	t->max_response = w->max_response;
	t->keep_bytes = w->keep_bytes;
	body[0] = '\0';
	r->body = body;
	memcpy(r->step_id, req->step_id, sizeof r->step_id);
	memcpy(r->run_id, req->run_id, sizeof r->run_id);
	t->result = r;
	pthread_mutex_lock(&w->lock);
	t->next = w->queued;
	w->queued = t;
	pthread_mutex_unlock(&w->lock);
	curl_multi_wakeup(w->multi);
	return true;
}

int webhooks_fd(const struct webhooks *w)
{
	return w->started ? w->pipe_fd[0] : -1;
}

struct webhook_result *webhooks_take(struct webhooks *w)
{
	if (!w->started)
		return NULL;
	char drain[64];
	while (read(w->pipe_fd[0], drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&w->lock);
	struct webhook_result *r = w->done_head;
	if (r) {
		w->done_head = r->next;
		if (!w->done_head)
			w->done_tail = NULL;
		r->next = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	return r; /* callers take until NULL: the drained pipe hides nothing */
}

void webhooks_free(struct webhooks *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stopping = true;
		pthread_mutex_unlock(&w->lock);
		curl_multi_wakeup(w->multi);
		pthread_join(w->thread, NULL);
		/* Transfers still in the multi handle are abandoned with it. */
		curl_multi_cleanup(w->multi);
		close(w->pipe_fd[0]);
		close(w->pipe_fd[1]);
		curl_global_cleanup();
	}
	while (w->done_head) {
		struct webhook_result *r = w->done_head;
		w->done_head = r->next;
		webhook_result_free(r);
	}
	pthread_mutex_destroy(&w->lock);
	free(w);
}
