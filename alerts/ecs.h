/*
 * ecs.h - events under Elastic Common Schema names (--format ecs).
 */
#ifndef CREDLEAK_ECS_H
#define CREDLEAK_ECS_H

#include <json.h>

/* The ECS version whose field names ecs.c writes, in every event's ecs.version. */
#define CREDLEAK_ECS_VERSION	"8.11.0"

/*
 * The ECS form of one event json.c built (EVE names: a finding, a stats
 * event, or any other event type), as a new object the caller puts; the
 * EVE object is left as it was.  Fields with an ECS name get it (a table in
 * ecs.c); the rest go, under their own names, into the "credleak" object.
 * NULL when out of memory.
 */
json_object *ecs_from_eve(json_object *eve);

#endif /* CREDLEAK_ECS_H */
