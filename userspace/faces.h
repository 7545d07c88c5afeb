/* SPDX-License-Identifier: Apache-2.0 */
/* faces.h — ways to show a collector snapshot.  Faces see only collector.h. */
#ifndef PW_FACES_H
#define PW_FACES_H

#include <stdbool.h>
#include <stdio.h>

#include "collector.h"

/* One snapshot as one JSON document (schema: docs/json-schema.md); 0 or -errno. */
int pw_face_json(FILE *f, const struct pw_snapshot *s, bool pretty);

/* One snapshot as a plain-text table (pausetop's batch mode); 0 or -errno. */
int pw_face_text(FILE *f, const struct pw_snapshot *s);

#endif
