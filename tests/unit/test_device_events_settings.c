/*
 * test_device_events_settings.c — which events a device's settings may name (PUT
 * /api/device-events/settings/:deviceId): only those its type lists in the registry, and
 * the message names the first entry that is not one ("events[1].action: not an event of
 * light"). Duplicates are the schema's stock check (test_schema.c covers those).
 */
#include "json_reader.h"
#include "service.h"
#include "tap.h"

static struct json_object *parse(struct arena *a, const char *json)
{
	const char *error = NULL;
	return json_parse(a, json, strlen(json), 16, &error);
}

static const char *problem(struct arena *a, const char *type, const char *type_events, const char *settings)
{
	return event_settings_problem(a, type, parse(a, type_events), parse(a, settings));
}

int main(void)
{
	struct arena *a = arena_new();
	const char *light = "[\"turned_on\",\"turned_off\"]";

	is_str(problem(a, "light", light, "[]"), NULL, "no settings: nothing to refuse");
	is_str(problem(a, "light", light,
		       "[{\"action\":\"turned_off\",\"record\":false,\"notify\":true},"
		       "{\"action\":\"turned_on\",\"record\":true,\"notify\":false}]"),
	       NULL, "events of the type, in any order, pass");
	is_str(problem(a, "light", light,
		       "[{\"action\":\"turned_on\",\"record\":true,\"notify\":true},"
		       "{\"action\":\"motion_detected\",\"record\":true,\"notify\":true}]"),
	       "events[1].action: not an event of light", "an event of another type is named by its index");
	is_str(problem(a, "light", light,
		       "[{\"action\":\"Turned_on\",\"record\":true,\"notify\":true},"
		       "{\"action\":\"nope\",\"record\":true,\"notify\":true}]"),
	       "events[0].action: not an event of light", "names compare exactly; the first bad entry is named");
	is_str(problem(a, "climate", "[]", "[{\"action\":\"turned_on\",\"record\":true,\"notify\":true}]"),
	       "events[0].action: not an event of climate", "a type without events takes no settings");
	is_str(problem(a, "climate", "[]", "[]"), NULL, "… except none");
	is_str(event_settings_problem(a, "light", NULL, parse(a, "[{\"action\":\"turned_on\"}]")),
	       "events[0].action: not an event of light", "an unreadable registry list lets nothing through");

	arena_destroy(a);
	return done();
}
