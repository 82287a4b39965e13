/* bn_version.h: the version of binome, shared by binomed and binome. */
#ifndef BN_VERSION_H
#define BN_VERSION_H

#define BN_VERSION "0.3.0"

#endif
