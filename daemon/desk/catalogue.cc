// The tjenestekatalog use cases: every change is decided by catalogue/edit.h
// against the catalogue as it stands inside the writer's transaction, and
// recorded as one CatalogueChanged event with the origin's actor.

#include <functional>

#include "catalogue/edit.h"
#include "daemon/desk/use_cases.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/record_check.h"

namespace helpdesk::desk {
namespace {

using Edit = CatalogueEdit;

StatusOr<catalogue::EditResult> Save(Scope& s, const v1::Catalogue& before,
                                     catalogue::EditResult e) {
  if (!e.ok()) return e.status;
  if (e.changed) {
    v1::Event event = s.NewEvent();
    *event.mutable_catalogue_changed() = e.change;
    if (Status st = s.store().SaveCatalogue(before, e.after, std::move(event));
        !st.ok())
      return st;
  }
  return e;
}

StatusOr<catalogue::EditResult> Apply(Scope& s, const Edit& edit) {
  auto current = store::LoadCatalogue(s.txn(), s.tables());
  if (!current.ok()) return current.status();
  return Save(s, *current, edit(*current, s.context().municipality_ids()));
}

// Whether service `id` is stored but cannot be read (its status, else ok).
Status DamagedService(Scope& s, std::string_view id) {
  auto stored = store::GetService(s.txn(), s.tables(), id);
  return store::IsDamaged(stored.status()) ? stored.status() : Status::Ok();
}

}  // namespace

StatusOr<catalogue::EditResult> ApplyCatalogueEdit(
    Scope& s, const CatalogueDecision& decision) {
  // Every change that changes anything moves the version: the same version
  // is the same catalogue, and the decision holds.
  auto version = store::CatalogueVersion(s.txn(), s.tables());
  if (!version.ok()) return version.status();
  if (*version != decision.version) return Apply(s, decision.edit);
  v1::Event event = s.NewEvent();
  *event.mutable_catalogue_changed() = decision.decided.change;
  if (Status st = s.store().SaveCatalogue(decision.writes, std::move(event));
      !st.ok())
    return st;
  return decision.decided;
}

StatusOr<catalogue::EditResult> ImportCatalogue(Scope& s,
                                                const v1::Catalogue& incoming) {
  return Apply(s, [&](const v1::Catalogue& current,
                      const std::vector<std::string>& munis) {
    return catalogue::Import(current, incoming, munis);
  });
}

StatusOr<catalogue::EditResult> CreateService(Scope& s,
                                              const v1::Service& service) {
  return Apply(s, [&](const v1::Catalogue& current,
                      const std::vector<std::string>& munis) {
    return catalogue::CreateService(current, service, munis);
  });
}

StatusOr<catalogue::EditResult> UpdateService(
    Scope& s, std::string_view id, const v1::Service& service,
    std::optional<uint32_t> if_match) {
  // A PUT is what an operator tries first on a service that cannot be
  // read; it has no version to match, so the PUT replaces it whole, as a
  // new service (version 1, recorded as added), checked like any other.
  if (!DamagedService(s, id).ok()) {
    v1::Service replacement = service;
    replacement.set_id(std::string(id));
    replacement.set_version(0);
    return Apply(s, [&](const v1::Catalogue& current,
                        const std::vector<std::string>& munis) {
      return catalogue::CreateService(current, replacement, munis);
    });
  }
  return Apply(s, [&](const v1::Catalogue& current,
                      const std::vector<std::string>& munis) {
    return catalogue::UpdateService(current, id, service, if_match, munis);
  });
}

StatusOr<catalogue::EditResult> SetServiceState(Scope& s, std::string_view id,
                                                v1::ServiceState to,
                                                std::optional<uint32_t> version,
                                                const std::string& reason) {
  if (Status damaged = DamagedService(s, id); !damaged.ok())
    return Status::Internal(damaged.message() +
                            ", or replace it with PUT "
                            "/api/v1/catalogue/services/" +
                            std::string(id));
  return Apply(
      s, [&](const v1::Catalogue& current, const std::vector<std::string>&) {
        return catalogue::SetServiceState(current, id, to, version, reason);
      });
}

StatusOr<catalogue::EditResult> CreateCategory(Scope& s,
                                               const v1::Category& category) {
  return Apply(s, [&](const v1::Catalogue& current,
                      const std::vector<std::string>& munis) {
    return catalogue::CreateCategory(current, category, munis);
  });
}

StatusOr<catalogue::EditResult> UpdateCategory(
    Scope& s, std::string_view id, const v1::Category& category,
    std::optional<uint32_t> if_match) {
  return Apply(s, [&](const v1::Catalogue& current,
                      const std::vector<std::string>& munis) {
    return catalogue::UpdateCategory(current, id, category, if_match, munis);
  });
}

}  // namespace helpdesk::desk
