#ifndef CLDAP_SHIM_H
#define CLDAP_SHIM_H
#include <lber.h>
#include <ldap.h>

/* Boolean options need LDAP_OPT_ON / LDAP_OPT_OFF, which Swift cannot import. */
int cldap_set_bool_option(LDAP *_Nullable ld, int option, int on);

#endif
