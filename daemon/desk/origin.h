#pragma once
// Who asks for a change, as every event of it records. Plain value; any
// thread.

#include <string>

namespace helpdesk::desk {

struct Origin {
  // Until authentication: the X-Actor header or a body field the route
  // names, "anonymous" when neither is given; a sweep's own name.
  std::string actor = "anonymous";
  std::string request_id;
};

}  // namespace helpdesk::desk
