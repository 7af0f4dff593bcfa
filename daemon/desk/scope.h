#pragma once
// What a use case runs in: the writer's transaction and clock reading
// (store::WriteContext), who asks (Origin) and what the desk shares
// (Context). One Scope per write; writer thread only.

#include <chrono>
#include <memory>
#include <string>

#include "daemon/desk/context.h"
#include "daemon/desk/origin.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "proto/events.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"
#include "proto/timestamps.h"

namespace helpdesk::desk {

class Scope {
 public:
  Scope(store::WriteContext& w, const Context& context, Origin origin)
      : w_(w), context_(context), origin_(std::move(origin)) {
    w_.set_client_address(origin_.client_address);
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  store::WriteContext& store() { return w_; }
  const store::Txn& txn() const { return w_.txn(); }
  const store::Tables& tables() const { return w_.tables(); }
  const Context& context() const { return context_; }
  const Origin& origin() const { return origin_; }

  // The batch's instant: every event of the batch carries it.
  const google::protobuf::Timestamp& now() const { return w_.now(); }
  std::chrono::sys_seconds now_sys() const { return proto::ToSys(w_.now()); }

  // A new event stamped with the batch's instant, `actor` and the request
  // id (proto::NewEvent); its seq comes when it is saved.
  v1::Event NewEvent(std::string actor) const {
    return proto::NewEvent({w_.now(), std::move(actor), origin_.request_id});
  }
  // ... with the origin's actor.
  v1::Event NewEvent() const { return NewEvent(origin_.actor); }
  // For the pure ticket decisions.
  tickets::RequestContext request() const {
    return {origin_.request_id, w_.now()};
  }

  // The roster as this transaction sees the staff and the rota.
  StatusOr<std::shared_ptr<const dispatch::Roster>> Roster() const {
    return context_.rosters().Get(w_.txn());
  }

 private:
  store::WriteContext& w_;
  const Context& context_;
  const Origin origin_;
};

}  // namespace helpdesk::desk
