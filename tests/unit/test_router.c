/*
 * test_router.c — route matching: params, UUID ids, 404 and 405, one spelling per path (no trailing slash).
 */
#include "internal.h"
#include "tap.h"

static int handler(struct request *req)
{
	(void)req;
	return 200;
}

static const struct route routes[] = {
	{ "GET", "/api/devices", handler, WHO_MEMBER },
	{ "POST", "/api/devices", handler, WHO_ADMIN },
	{ "GET", "/api/devices/:id", handler, WHO_MEMBER },
	{ "POST", "/api/devices/:id/command", handler, WHO_MEMBER },
	{ "GET", "/api/device-types/:id", handler, WHO_MEMBER, .text_params = true },
	{ 0 },
};

static const char *const uuid = "0b7c8f3e-5a1d-4c2e-9f00-123456789abc";

static int match(struct arena *a, struct request *req, const char *method, const char *path)
{
	*req = (struct request){ .arena = a, .method = method, .path = path };
	request_reply_init(req);
	return router_match(req, routes);
}

int main(void)
{
	struct arena *a = arena_new();
	struct request req;
	ok(match(a, &req, "GET", "/api/devices") == 0 && req.route == &routes[0], "exact path");
	ok(match(a, &req, "GET", "/api/devices/") == 404, "a trailing slash is another path");
	ok(match(a, &req, "POST", "/api/devices") == 0 && req.route == &routes[1], "method chooses the route");
	ok(match(a, &req, "HEAD", "/api/devices") == 0 && req.route == &routes[0], "HEAD is served as GET");
	ok(match(a, &req, "POST", arena_printf(a, "/api/devices/%s/command", uuid)) == 0 && req.route == &routes[3], "param route");
	is_str(req_param(&req, "id"), uuid, "param captured");
	ok(match(a, &req, "GET", "/api/devices/not-a-uuid") == 404, "non-UUID id is a 404");
	is_str(req.out.data, "{\"statusCode\":404,\"error\":\"Not Found\",\"message\":\"id: not found\"}", "with the SPEC shape");
	ok(match(a, &req, "GET", "/api/device-types/climate") == 0, "text params accept any segment");
	is_str(req_param(&req, "id"), "climate", "text param captured");
	ok(match(a, &req, "DELETE", "/api/devices") == 405, "known path, other method: 405");
	ok(match(a, &req, "GET", "/api/devices/a/b/c") == 404, "unknown path: 404");
	ok(match(a, &req, "GET", "/api/devicesx") == 404, "prefix is not a match");
	ok(match(a, &req, "GET", "/api/devices//command") == 404, "empty segment is not a param");
	arena_destroy(a);
	return done();
}
