// Image codecs from Debian: libpng (PNG), libturbojpeg (JPEG), zlib (gzip).
#include <png.h>
#include <turbojpeg.h>
#include <zlib.h>
