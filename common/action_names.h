/*
 * The API actions of common/actions.def as compile-time names, for the
 * code that sends them (the CLI): ACTION_NAME(CreateLoadBalancer) is the
 * string "CreateLoadBalancer", and an action that is not in the table is
 * an undeclared identifier, so a misspelt one fails the build.
 */
#ifndef EULB_ACTION_NAMES_H
#define EULB_ACTION_NAMES_H

enum action_name_id {
#define X(name, handler, flags, required) ACTION_ID_##name,
#include "actions.def"
#undef X
};

/* The subscript is 0 but names the enumerator: still a constant address. */
#define ACTION_NAME(name) (&#name[0 * ACTION_ID_##name])

#endif
