#pragma once
// Catalogues of a chosen shape and size, for the limit tests and the
// catalogue benchmark (tools/microbench/catalogue_bench.cc): a chain of
// categories each the parent of the next, a bushy tree no deeper than the
// limit, and a catalogue as large as every limit allows.

#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::catalogue::shapes {

// One skill, one SLA class, `services` services spread over the
// categories already in `c`.
inline void AddServices(v1::Catalogue& c, int services) {
  if (c.skills_size() == 0) {
    auto* skill = c.add_skills();
    skill->set_id("user-support");
    skill->set_name("Brukerstøtte");
  }
  if (c.sla_classes_size() == 0) {
    auto* k = c.add_sla_classes();
    k->set_id("standard");
    k->set_name("Standard");
  }
  for (int i = 0; i < services; ++i) {
    auto* s = c.add_services();
    s->set_id("service-" + std::to_string(i));
    s->set_name("Tjeneste " + std::to_string(i));
    s->set_category(c.categories(i % c.categories_size()).id());
    s->set_presence(v1::PRESENCE_NOT_NEEDED);
    s->set_delivery(v1::DELIVERY_INTERNAL);
    s->add_skills(c.skills(0).id());
    s->set_sla_class(c.sla_classes(0).id());
    s->set_default_priority(v1::PRIORITY_NORMAL);
    s->set_state(v1::SERVICE_STATE_ACTIVE);
  }
}

// `n` categories c-0 ... c-(n-1), c-i a child of c-(parent(i)) for i > 0.
template <typename Parent>
v1::Catalogue Categories(int n, Parent parent) {
  v1::Catalogue c;
  for (int i = 0; i < n; ++i) {
    auto* cat = c.add_categories();
    cat->set_id("c-" + std::to_string(i));
    cat->set_name("Kategori " + std::to_string(i));
    if (i > 0) cat->set_parent("c-" + std::to_string(parent(i)));
  }
  return c;
}

// Categories c-0 <- c-1 <- ... <- c-(n-1), each the parent of the next,
// and one service: too deep beyond kMaxCategoryDepth.
inline v1::Catalogue Chain(int n) {
  v1::Catalogue c = Categories(n, [](int i) { return i - 1; });
  AddServices(c, 1);
  return c;
}

// `n` categories, each with up to four children (c-i's parent is
// c-((i-1)/4)): about log4(n) deep, within the limit for every n the
// category limit allows.
inline v1::Catalogue Tree(int n) {
  return Categories(n, [](int i) { return (i - 1) / 4; });
}

// `current` grown to every limit (categories, services, skills, SLA
// classes), each new service with every text at its longest, as many
// skills and keywords as allowed and every municipality of `munis`: the
// largest catalogue an import may hold (its JSON is larger than the
// default 8 MiB body limit, so this bounds what a request can bring).
// `text` is repeated into the descriptions, so two calls with another
// `text` differ in every new service.
inline v1::Catalogue Largest(v1::Catalogue current,
                             const std::vector<std::string>& munis, char text) {
  for (int i = current.skills_size(); i < static_cast<int>(kMaxSkills); ++i) {
    auto* skill = current.add_skills();
    skill->set_id("skill-" + std::to_string(i));
    skill->set_name(std::string(kMaxNameBytes, 'k'));
  }
  for (int i = current.sla_classes_size(); i < static_cast<int>(kMaxSlaClasses);
       ++i) {
    auto* k = current.add_sla_classes();
    k->set_id("class-" + std::to_string(i));
    k->set_name("Klasse " + std::to_string(i));
    k->set_description(std::string(kMaxDescriptionBytes, 'd'));
  }
  const int first_category = current.categories_size();
  for (int i = first_category; i < static_cast<int>(kMaxCategories); ++i) {
    auto* cat = current.add_categories();
    cat->set_id("cat-" + std::to_string(i));
    cat->set_name(std::string(kMaxNameBytes, 'n'));
    cat->set_description(std::string(kMaxDescriptionBytes, text));
    if (i > first_category)
      cat->set_parent(
          "cat-" + std::to_string(first_category + (i - first_category) / 4));
  }
  for (int i = current.services_size(); i < static_cast<int>(kMaxServices);
       ++i) {
    auto* s = current.add_services();
    s->set_id("service-" + std::to_string(i));
    s->set_name(std::string(kMaxNameBytes, 'n'));
    s->set_name_en(std::string(kMaxNameBytes, 'e'));
    s->set_description(std::string(kMaxDescriptionBytes, text));
    s->set_description_en(std::string(kMaxDescriptionBytes, text));
    s->set_category(current.categories(i % current.categories_size()).id());
    s->set_presence(v1::PRESENCE_NOT_NEEDED);
    s->set_delivery(v1::DELIVERY_INTERNAL);
    for (size_t k = 0; k < kMaxServiceSkills; ++k)
      s->add_skills(
          current.skills(static_cast<int>((i + k) % kMaxSkills)).id());
    s->set_sla_class("class-" + std::to_string(kMaxSlaClasses - 1));
    s->set_default_priority(v1::PRIORITY_NORMAL);
    s->set_state(v1::SERVICE_STATE_ACTIVE);
    for (size_t k = 0; k < kMaxKeywords; ++k)
      s->add_keywords(std::to_string(k) +
                      std::string(kMaxKeywordBytes - 3, 'w'));
    for (const auto& m : munis) s->add_municipalities(m);
  }
  return current;
}

}  // namespace helpdesk::catalogue::shapes
