#include "catalogue/search.h"

#include <algorithm>
#include <unordered_map>

#include "catalogue/catalogue.h"

namespace helpdesk::catalogue {
namespace {

// The next code point of `s` at `i`, advancing `i`; 0xFFFD for a byte that
// does not start a valid sequence (it then counts as a separator).
char32_t NextCodePoint(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80           ? 1
            : (b >> 5) == 0x6  ? 2
            : (b >> 4) == 0xE  ? 3
            : (b >> 3) == 0x1E ? 4
                               : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += len;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The folded spelling of one Latin-1 letter, or nullptr if it is not one
// we fold.
const char* FoldLatin1(char32_t cp) {
  switch (cp | 0x20) {  // Latin-1 upper and lower case differ by 0x20
    case 0xE6:
      return "ae";  // æ Æ
    case 0xF8:
      return "o";  // ø Ø
    case 0xE5:
      return "a";  // å Å
    case 0xE4:
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
      return "a";
    case 0xF6:
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
      return "o";
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
      return "e";
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF:
      return "i";
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
      return "u";
    case 0xE7:
      return "c";
    case 0xF1:
      return "n";
    case 0xFD:
    case 0xFF:
      return "y";
  }
  return nullptr;
}

// The Sámi letters outside Latin-1 (čČ đĐ ŋŊ šŠ ŧŦ žŽ), folded to their
// base letters as people type them on a Norwegian keyboard.
const char* FoldSami(char32_t cp) {
  switch (cp) {
    case 0x010C:
    case 0x010D:
      return "c";
    case 0x0110:
    case 0x0111:
      return "d";
    case 0x014A:
    case 0x014B:
      return "n";
    case 0x0160:
    case 0x0161:
      return "s";
    case 0x0166:
    case 0x0167:
      return "t";
    case 0x017D:
    case 0x017E:
      return "z";
  }
  return nullptr;
}

std::vector<std::string> Words(std::string_view folded) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < folded.size()) {
    size_t end = folded.find(' ', i);
    if (end == std::string_view::npos) end = folded.size();
    if (end > i) words.emplace_back(folded.substr(i, end - i));
    i = end + 1;
  }
  return words;
}

// How well `term` matches the words of one field: 2 when a word starts with
// it, 1 when it is inside a word (Norwegian compounds: "stotte" in
// "brukerstotte"), 0 otherwise.
int MatchIn(const std::vector<std::string>& words, const std::string& term) {
  int best = 0;
  for (const auto& w : words) {
    if (w.compare(0, term.size(), term) == 0) return 2;
    if (w.find(term) != std::string::npos) best = 1;
  }
  return best;
}

struct FoldedService {
  std::vector<std::string> name, keywords, category, description;
  std::string whole_name;
};

FoldedService Fold(const v1::Service& s, const std::string& category_name) {
  FoldedService f;
  f.whole_name = FoldForSearch(s.name());
  f.name = Words(f.whole_name + " " + FoldForSearch(s.name_en()));
  std::string kw;
  for (const auto& k : s.keywords()) kw += FoldForSearch(k) + " ";
  f.keywords = Words(kw);
  f.category = Words(FoldForSearch(category_name));
  f.description =
      Words(FoldForSearch(s.description()) + " " +
            FoldForSearch(s.description_en()) + " " + FoldForSearch(s.id()));
  return f;
}

}  // namespace

std::string FoldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = NextCodePoint(text, i);
    char last = out.empty() ? ' ' : out.back();
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum) {
        if (last != ' ') out += ' ';
        continue;
      }
      // The ASCII spellings of å and ø fold like the letters themselves.
      if ((c == 'a' && last == 'a') || (c == 'e' && last == 'o')) continue;
      out += c;
    } else if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7) {
      if (const char* f = FoldLatin1(cp)) {
        for (const char* p = f; *p; ++p) {
          if ((*p == 'a' && out.size() && out.back() == 'a')) continue;
          out += *p;
        }
      } else {
        AppendUtf8(out, cp == 0xDF ? cp : cp | 0x20);  // ß has no lower case
      }
    } else if (const char* f = FoldSami(cp)) {
      out += f;
    } else if (cp == 0xFFFD || (cp >= 0x80 && cp < 0xC0) ||
               (cp >= 0x2000 && cp <= 0x206F)) {
      if (last != ' ') out += ' ';  // punctuation, spaces, invalid bytes
    } else {
      AppendUtf8(out, cp);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsWithin(const v1::Catalogue& c, std::string_view category,
              std::string_view ancestor) {
  std::string_view at = category;
  for (size_t depth = 0; depth <= kMaxCategoryDepth && !at.empty(); ++depth) {
    if (at == ancestor) return true;
    const v1::Category* cat = FindCategory(c, at);
    if (cat == nullptr) return false;
    at = cat->parent();
  }
  return false;
}

std::vector<SearchHit> Search(const v1::Catalogue& c, std::string_view query,
                              const SearchOptions& o) {
  const std::string folded_query = FoldForSearch(query);
  const std::vector<std::string> terms = Words(folded_query);
  std::unordered_map<std::string, std::string> category_names;
  for (const auto& cat : c.categories()) category_names[cat.id()] = cat.name();

  struct Ranked {
    SearchHit hit;
    int name_terms;
    std::string sort_name;
  };
  std::vector<Ranked> ranked;
  for (const auto& s : c.services()) {
    if (!o.include_retired && s.state() == v1::SERVICE_STATE_RETIRED) continue;
    if (!o.municipality.empty() && !AppliesTo(s, o.municipality)) continue;
    if (!o.category.empty() && !IsWithin(c, s.category(), o.category)) continue;
    FoldedService f = Fold(s, category_names[s.category()]);
    int score = 0, name_terms = 0;
    bool all = true;
    for (const auto& term : terms) {
      int in_name = MatchIn(f.name, term);
      int best = std::max({in_name * 4, MatchIn(f.keywords, term) * 3,
                           MatchIn(f.category, term) * 2,
                           MatchIn(f.description, term)});
      if (best == 0) {
        all = false;
        break;
      }
      name_terms += in_name > 0;
      score += best;
    }
    if (!all) continue;
    if (!terms.empty() && f.whole_name == folded_query)
      score += 20;
    else if (!terms.empty() && f.whole_name.starts_with(folded_query))
      score += 10;
    ranked.push_back({{&s, score}, name_terms, f.whole_name});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.name_terms != b.name_terms) return a.name_terms > b.name_terms;
    if (a.hit.score != b.hit.score) return a.hit.score > b.hit.score;
    if (a.sort_name != b.sort_name) return a.sort_name < b.sort_name;
    return a.hit.service->id() < b.hit.service->id();
  });
  std::vector<SearchHit> hits;
  for (size_t i = 0; i < ranked.size() && i < o.limit; ++i)
    hits.push_back(ranked[i].hit);
  return hits;
}

}  // namespace helpdesk::catalogue
