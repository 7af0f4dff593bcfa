#pragma once
// Private to helpdesk_web: the table that embed.cmake generates
// (assets_data.cc in the build directory). Constant; any thread.

#include <span>

#include "daemon/web/assets.h"

namespace helpdesk::web::internal {

std::span<const Asset> EmbeddedAssets();

}  // namespace helpdesk::web::internal
