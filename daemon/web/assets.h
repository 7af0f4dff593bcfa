#pragma once
// The pages' files (daemon/web: the portal, the agent view, the wall
// dashboard), embedded in the binary at build time by embed.cmake, so the
// daemon serves its pages with no files beside it and no build step for
// the pages themselves.
//
// The table is constant and built before main; any thread may call.

#include <string_view>

namespace helpdesk::web {

// One embedded file, as served: every view points into static storage.
struct Asset {
  std::string_view path;          // "/", "/agent", "/assets/portal.js"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
  std::string_view etag;  // quoted strong entity tag of the body
};

// The asset served at `path` (exactly, no normalising), or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace helpdesk::web
