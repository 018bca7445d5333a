/*
 * Secrets at rest: access-key secrets and server-certificate private keys
 * are sealed with AES-256-GCM under a master key kept in a file beside the
 * database (mode 0600), so a copied database alone reveals nothing. Each
 * value is bound to its row (the associated data) so sealed values cannot
 * be swapped between rows.
 */
#ifndef EULB_SECRET_H
#define EULB_SECRET_H

#include <stddef.h>

#define SECRET_KEY_BYTES 32
#define SECRET_PREFIX "v1:"

/* Reads the key file, creating it (0600, from the CSPRNG) if absent. A
 * pending "<file>.new" left by an interrupted rotation is also loaded, so
 * values sealed under either key open. 0, 1 if the file was created, or
 * -1 (logged). */
int secret_init(const char *key_file);
/* Forgets the keys (wiped). */
void secret_shutdown(void);
/* "v1:" + base64(nonce | ciphertext | tag), malloc'd; NULL on failure. */
char *secret_seal(const char *plain, const char *aad);
/* The plaintext (malloc'd), or NULL if it does not open under any key.
 * A value without the prefix is a plaintext from before sealing and is
 * returned as is. */
char *secret_open(const char *sealed, const char *aad);

/*
 * Rotation: makes a new key in "<file>.new" (fsync'd) and uses it for
 * sealing from now on; after the caller has re-sealed every value and
 * committed, secret_rotate_finish() renames it over the key file.
 */
int secret_rotate_begin(void);
/* Whether a rotation was begun and not finished (e.g. a crash). */
int secret_rotation_pending(void);
int secret_rotate_finish(void);

#endif
