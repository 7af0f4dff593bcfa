#include "daemon/web/assets.h"

#include "daemon/web/embedded.h"

namespace helpdesk::web {

// Three files: a scan beats a map.
const Asset* FindAsset(std::string_view path) {
  for (const Asset& asset : internal::EmbeddedAssets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace helpdesk::web
