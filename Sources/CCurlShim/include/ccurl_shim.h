#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
   one fixed-type wrapper per argument kind. */
typedef size_t (*ccurl_data_callback)(char *_Nonnull data, size_t size, size_t count,
                                      void *_Nullable user);

CURLcode ccurl_setopt_long(CURL *_Nonnull handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *_Nonnull handle, CURLoption option,
                             const char *_Nullable value);
CURLcode ccurl_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value);
CURLcode ccurl_setopt_callback(CURL *_Nonnull handle, CURLoption option,
                               ccurl_data_callback _Nullable callback);
CURLcode ccurl_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value);

#endif
