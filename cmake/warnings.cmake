# Warnings as an INTERFACE target linked by our code only (never by third-party code).
add_library(crm_warnings INTERFACE)
target_compile_options(crm_warnings INTERFACE -Wall -Wextra -Wconversion -Wshadow -Wnon-virtual-dtor)
if(CRM_WERROR)
  target_compile_options(crm_warnings INTERFACE -Werror)
endif()
