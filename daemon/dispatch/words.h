#pragma once
// Lists in the words a dispatcher reads, shared by the decision's and the
// coverage report's explanations. Pure.

#include <string>
#include <vector>

namespace helpdesk::dispatch {

// "a", "a and b", "a, b and c".
inline std::string JoinWords(const std::vector<std::string>& v) {
  std::string out;
  for (size_t k = 0; k < v.size(); ++k) {
    if (k > 0) out += k + 1 == v.size() ? " and " : ", ";
    out += v[k];
  }
  return out;
}

}  // namespace helpdesk::dispatch
