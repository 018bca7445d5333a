#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "log.h"

#define NONCE_BYTES 12
#define TAG_BYTES 16

static struct {
	unsigned char key[SECRET_KEY_BYTES];     /* seals and opens */
	unsigned char pending[SECRET_KEY_BYTES]; /* a rotation's new key */
	int have_key, have_pending;
	char *path;
} secret;

static int
secret_read_file(const char *path, unsigned char out[SECRET_KEY_BYTES])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	struct stat st;
	ssize_t n = fstat(fd, &st) == 0 ? read(fd, out, SECRET_KEY_BYTES) : -1;
	close(fd);
	if (n != SECRET_KEY_BYTES || st.st_size != SECRET_KEY_BYTES) {
		log_error("%s is not a %d-byte master key", path,
		          SECRET_KEY_BYTES);
		return -1;
	}
	if (st.st_mode & 077)
		log_warn("%s is readable by others; chmod 600 it", path);
	return 0;
}

/* Written whole (file_write_atomic): a crash leaves the old file or the
 * new one, never half a key. */
static int
secret_write_file(const char *path, const unsigned char key[SECRET_KEY_BYTES])
{
	return file_write_atomic(path, key, SECRET_KEY_BYTES, 0600);
}

int
secret_init(const char *key_file)
{
	secret_shutdown();
	secret.path = xstrdup(key_file);
	int rc = secret_read_file(key_file, secret.key);
	if (rc == 1) {
		if (RAND_bytes(secret.key, SECRET_KEY_BYTES) != 1 ||
		    secret_write_file(key_file, secret.key) < 0)
			return -1;
		log_info("created master key %s", key_file);
		rc = 1;
	}
	if (rc < 0)
		return -1;
	secret.have_key = 1;
	struct buf pending = BUF_INIT;
	buf_printf(&pending, "%s.new", key_file);
	secret.have_pending =
	    secret_read_file(buf_str(&pending), secret.pending) == 0;
	buf_free(&pending);
	return rc;
}

void
secret_shutdown(void)
{
	OPENSSL_cleanse(secret.key, sizeof secret.key);
	OPENSSL_cleanse(secret.pending, sizeof secret.pending);
	secret.have_key = secret.have_pending = 0;
	free(secret.path);
	secret.path = NULL;
}

static int
secret_gcm(int enc, const unsigned char *key, const unsigned char *nonce,
           const char *aad, const unsigned char *in, int len,
           unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0,
	    ok = ctx &&
	         EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce,
	                           enc) == 1 &&
	         EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	                          (int)strlen(aad)) == 1 &&
	         EVP_CipherUpdate(ctx, out, &n, in, len) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES,
		                         tag) == 1;
	int fin = 0;
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + n, &fin) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES,
		                         tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

char *
secret_seal(const char *plain, const char *aad)
{
	if (!secret.have_key)
		return NULL;
	const unsigned char *key =
	    secret.have_pending ? secret.pending : secret.key;
	int len = (int)strlen(plain);
	unsigned char *raw = xmalloc((size_t)len + NONCE_BYTES + TAG_BYTES);
	char *b64 =
	    xmalloc(4 * (((size_t)len + NONCE_BYTES + TAG_BYTES + 2) / 3) + 1);
	char *out = NULL;
	if (RAND_bytes(raw, NONCE_BYTES) == 1 &&
	    secret_gcm(1, key, raw, aad, (const unsigned char *)plain, len,
	               raw + NONCE_BYTES, raw + NONCE_BYTES + len) == 0) {
		EVP_EncodeBlock((unsigned char *)b64, raw,
		                len + NONCE_BYTES + TAG_BYTES);
		struct buf b = BUF_INIT;
		buf_printf(&b, SECRET_PREFIX "%s", b64);
		out = buf_steal(&b);
	}
	OPENSSL_cleanse(raw, (size_t)len + NONCE_BYTES + TAG_BYTES);
	free(raw);
	free(b64);
	return out;
}

static char *
secret_open_with(const unsigned char *key, const unsigned char *raw, int len,
                 const char *aad)
{
	int plen = len - NONCE_BYTES - TAG_BYTES;
	unsigned char *plain = xmalloc((size_t)plen + 1);
	if (secret_gcm(0, key, raw, aad, raw + NONCE_BYTES, plen, plain,
	               (unsigned char *)raw + NONCE_BYTES + plen) < 0) {
		free(plain);
		return NULL;
	}
	plain[plen] = '\0';
	return (char *)plain;
}

char *
secret_open(const char *sealed, const char *aad)
{
	if (strncmp(sealed, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0)
		return xstrdup(sealed);
	const char *b64 = sealed + strlen(SECRET_PREFIX);
	size_t blen = strlen(b64);
	if (!secret.have_key || blen % 4 || blen < 4)
		return NULL;
	unsigned char *raw = xmalloc(blen);
	int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)blen);
	for (size_t i = blen; len > 0 && i > blen - 2 && b64[i - 1] == '='; i--)
		len--;
	char *plain = NULL;
	if (len >= NONCE_BYTES + TAG_BYTES) {
		plain = secret_open_with(secret.key, raw, len, aad);
		if (!plain && secret.have_pending)
			plain = secret_open_with(secret.pending, raw, len, aad);
	}
	free(raw);
	return plain;
}

int
secret_rotate_begin(void)
{
	struct buf pending = BUF_INIT;
	buf_printf(&pending, "%s.new", secret.path);
	int rc =
	    RAND_bytes(secret.pending, SECRET_KEY_BYTES) == 1 &&
	            secret_write_file(buf_str(&pending), secret.pending) == 0
	        ? 0
	        : -1;
	buf_free(&pending);
	secret.have_pending = rc == 0;
	return rc;
}

int
secret_rotate_finish(void)
{
	struct buf pending = BUF_INIT;
	buf_printf(&pending, "%s.new", secret.path);
	int rc = rename(buf_str(&pending), secret.path);
	buf_free(&pending);
	if (rc < 0) {
		log_error("cannot rename the new master key into %s: %m",
		          secret.path);
		return -1;
	}
	memcpy(secret.key, secret.pending, SECRET_KEY_BYTES);
	OPENSSL_cleanse(secret.pending, sizeof secret.pending);
	secret.have_pending = 0;
	return 0;
}

int
secret_rotation_pending(void)
{
	return secret.have_pending;
}
