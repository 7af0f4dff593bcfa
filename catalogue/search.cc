#include "catalogue/search.h"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>

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

bool IsWordChar(char32_t cp) {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= '0' && cp <= '9');
  if (cp == 0xFFFD || cp < 0xC0 || cp == 0xD7 || cp == 0xF7) return false;
  return !(cp >= 0x2000 && cp <= 0x206F);  // punctuation and spaces
}

bool IsHyphen(char32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }

// Lower case for ASCII and Latin-1 (Æ Ø Å and the accented letters); the
// rest is folded later by FoldForSearch.
char32_t Lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  return cp;
}

// The words of `text`, lowercased with the Norwegian letters kept (the
// stemmer wants them). A hyphen between letters joins a word ("e-post" is
// "epost"); with `parts` each part is given too ("post"), so a service
// that writes "e-post" is found by "epost" and by "post".
std::vector<std::string> LowerWords(std::string_view text, bool parts) {
  std::vector<std::string> words;
  std::string word, part;
  std::vector<std::string> word_parts;
  auto end_word = [&] {
    if (!part.empty()) word_parts.push_back(std::move(part));
    part.clear();
    if (!word.empty()) {
      words.push_back(std::move(word));
      if (parts && word_parts.size() > 1)
        for (auto& p : word_parts) words.push_back(std::move(p));
    }
    word.clear();
    word_parts.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    const char32_t cp = NextCodePoint(text, i);
    if (IsWordChar(cp)) {
      std::string letter;
      AppendUtf8(letter, Lower(cp));
      word += letter;
      part += letter;
    } else if (IsHyphen(cp) && !word.empty() && i < text.size()) {
      size_t next = i;
      if (!IsWordChar(NextCodePoint(text, next))) {
        end_word();
        continue;
      }
      if (!part.empty()) word_parts.push_back(std::move(part));
      part.clear();
    } else {
      end_word();
    }
  }
  end_word();
  return words;
}

// Snowball's Norwegian stemmer (libstemmer). One per call: a stemmer is
// not safe to share between threads.
class Stemmer {
 public:
  Stemmer() : stemmer_(sb_stemmer_new("norwegian", "UTF_8")) {}
  ~Stemmer() {
    if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
  }
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  // The stem of a lowercased word, stemmed again until it stops changing:
  // Snowball strips one ending a call, and bokmål and nynorsk forms
  // ("skriveren", "skrivarane") meet only at the end of the chain. A stem
  // shorter than three bytes is not taken (it would match too much).
  // Remembered: a catalogue says the same words many times over.
  std::string Stem(std::string word) {
    if (stemmer_ == nullptr) return word;  // no memory: the word as it is
    if (auto it = memo_.find(word); it != memo_.end()) return it->second;
    if (memo_.size() >= kMemo) memo_.clear();
    std::string& stem = memo_[word];
    stem = StemToFixpoint(std::move(word));
    return stem;
  }

 private:
  static constexpr size_t kMemo = 1 << 16;

  std::string StemToFixpoint(std::string word) {
    for (int round = 0; round < 4; ++round) {
      const sb_symbol* out = sb_stemmer_stem(
          stemmer_, reinterpret_cast<const sb_symbol*>(word.data()),
          static_cast<int>(word.size()));
      if (out == nullptr) break;
      std::string next(reinterpret_cast<const char*>(out),
                       static_cast<size_t>(sb_stemmer_length(stemmer_)));
      if (next == word || next.size() < 3) break;
      word = std::move(next);
    }
    return word;
  }

  sb_stemmer* stemmer_;
  std::unordered_map<std::string, std::string> memo_;
};

// Words a search ignores, folded: Norwegian stop words of bokmål and
// nynorsk, and the words people add to say that something is broken
// ("skriveren virker ikke"), which name no service.
bool IsStopWord(std::string_view folded) {
  static const std::unordered_set<std::string_view> kStopWords = {
      // bokmål
      "og", "i", "jeg", "det", "at", "en", "et", "den", "til", "er", "som",
      "pa", "de", "med", "han", "av", "ikke", "der", "sa", "var", "meg", "seg",
      "men", "ett", "har", "om", "vi", "min", "mitt", "mine", "ha", "hadde",
      "hun", "na", "over", "da", "ved", "fra", "du", "ut", "sin", "dem", "oss",
      "opp", "man", "kan", "hans", "hvor", "eller", "hva", "skal", "selv",
      "her", "alle", "vil", "bli", "ble", "blitt", "kunne", "inn", "nar",
      "vaere", "kom", "noen", "noe", "ville", "dere", "deres", "kun", "ja",
      "etter", "ned", "skulle", "denne", "for", "deg", "si", "sine", "sitt",
      "mot", "a", "meget", "hvorfor", "dette", "disse", "uten", "hvordan",
      "ingen", "din", "ditt", "blir", "samme", "hvilken", "hvilke", "sann",
      "mellom", "hver", "hvem", "hvis", "bade", "bare", "enn", "fordi", "mange",
      "ogsa", "slik", "vaert", "begge", "siden", "helt", "mer", "veldig",
      "litt",
      // nynorsk
      "eg", "ein", "eit", "eitt", "ikkje", "inkje", "ho", "honom", "hennar",
      "dei", "deim", "deira", "dykk", "dykkar", "me", "mi", "kva", "kvar",
      "korleis", "kvifor", "kven", "noko", "nokon", "nokre", "no", "vere",
      "vore", "verte", "vart", "sidan", "medan", "elles", "hja", "um", "upp",
      "so", "berre", "meir", "mykje",
      // "it is broken", in both written forms
      "virker", "virkar", "virke", "fungerer", "fungerar", "funker", "funkar",
      "gar", "gjer", "gjor", "far", "klarer", "klarar", "lenger", "lenge",
      "problem", "problemer", "problemet", "trenger", "treng", "fa", "gjore",
      "lurer", "plutselig", "brukt"};
  return kStopWords.count(folded) > 0;
}

// The search forms of `text`'s words (see SearchTerms), with parts of
// hyphenated words when `parts`.
std::vector<std::string> TermsOf(std::string_view text, bool parts,
                                 Stemmer& stemmer) {
  std::vector<std::string> terms;
  for (auto& word : LowerWords(text, parts)) {
    const std::string folded = FoldForSearch(word);
    if (folded.size() < 2 || IsStopWord(folded)) continue;
    std::string term = FoldForSearch(stemmer.Stem(std::move(word)));
    if (term.size() < 2) term = folded;
    terms.push_back(std::move(term));
  }
  return terms;
}

// How well a query term matches one word of a service: 3 the same word, 2
// the start of it (a word being typed, a compound's head: "skriv" of
// "skrivarkø"), 1 inside a compound ("stott" of "brukerstott") or the
// query a compound ending in it ("nettverksskriv" for "skriv").
int Match(std::string_view word, std::string_view term) {
  if (word == term) return 3;
  if (word.starts_with(term)) return 2;
  if (term.size() >= 4 && word.find(term) != std::string_view::npos) return 1;
  if (word.size() >= 4 && term.ends_with(word)) return 1;
  return 0;
}

// Where a word matched weighs: name, keywords, category, description.
constexpr std::array<int, 4> kFieldWeight = {4, 3, 2, 1};

// The words of a query looked for, at most (a search costs words x
// synonyms x the catalogue's words; a sentence has a few).
constexpr size_t kMaxQueryWords = 10;
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

std::vector<std::string> SearchTerms(std::string_view text) {
  // One per thread, kept: its memo makes the words a desk says again and
  // again (every ticket's title and description is indexed) cost a lookup.
  thread_local Stemmer stemmer;
  return TermsOf(text, /*parts=*/false, stemmer);
}

struct SearchIndex::Service {
  const v1::Service* service;
  std::string whole_name;  // folded, for a query that is the name itself
  size_t name_words = 0;   // of its name (and English name)
  // The search forms of its words by kFieldWeight's fields, each once.
  std::array<std::vector<std::string>, 4> fields;
};

SearchIndex::SearchIndex(const v1::Catalogue& c) : catalogue_(&c) {
  Stemmer stemmer;
  std::unordered_map<std::string, std::string> category_names;
  for (const auto& cat : c.categories()) category_names[cat.id()] = cat.name();
  services_.reserve(c.services_size());
  for (const auto& s : c.services()) {
    Service& f = services_.emplace_back();
    f.service = &s;
    f.whole_name = FoldForSearch(s.name());
    f.fields[0] = TermsOf(s.name() + " " + s.name_en(), true, stemmer);
    std::string keywords;
    for (const auto& k : s.keywords()) keywords += k + " ";
    f.fields[1] = TermsOf(keywords, true, stemmer);
    f.fields[2] = TermsOf(category_names[s.category()], true, stemmer);
    f.fields[3] =
        TermsOf(s.description() + " " + s.description_en() + " " + s.id(), true,
                stemmer);
    f.name_words = f.fields[0].size();
    for (auto& words : f.fields) {
      std::sort(words.begin(), words.end());
      words.erase(std::unique(words.begin(), words.end()), words.end());
    }
  }
  for (const auto& group : c.synonyms()) {
    std::vector<std::string> forms;
    for (const auto& word : group.words())
      for (auto& t : TermsOf(word, false, stemmer))
        if (std::find(forms.begin(), forms.end(), t) == forms.end())
          forms.push_back(std::move(t));
    for (const auto& t : forms) {
      auto& alike = synonyms_[t];
      for (const auto& other : forms)
        if (std::find(alike.begin(), alike.end(), other) == alike.end())
          alike.push_back(other);
    }
  }
}

SearchIndex::~SearchIndex() = default;

std::vector<SearchHit> SearchIndex::Search(std::string_view query,
                                           const SearchOptions& o) const {
  const v1::Catalogue& c = *catalogue_;
  const std::string folded_query = FoldForSearch(query);
  // Each word of the query with the words it stands for (its synonyms).
  std::vector<std::vector<std::string>> terms;
  {
    Stemmer stemmer;
    for (auto& t : TermsOf(query, false, stemmer)) {
      if (terms.size() == kMaxQueryWords) break;
      // A word said twice, or a synonym of one said before ("printeren
      // skriver"), is one thing looked for, not two.
      bool seen = false;
      for (const auto& other : terms)
        seen = seen || std::find(other.begin(), other.end(), t) != other.end();
      if (seen) continue;
      std::vector<std::string> forms{t};
      if (auto it = synonyms_.find(t); it != synonyms_.end())
        for (const auto& alike : it->second)
          if (alike != t) forms.push_back(alike);
      terms.push_back(std::move(forms));
    }
  }
  // Words, but stop words only: nothing to look for.
  if (terms.empty() && !folded_query.empty()) return {};

  struct Ranked {
    SearchHit hit;
    size_t name_words;
    const std::string* sort_name;
  };
  std::vector<Ranked> ranked;
  for (const Service& f : services_) {
    const v1::Service& s = *f.service;
    if (!o.include_retired && s.state() == v1::SERVICE_STATE_RETIRED) continue;
    if (!o.municipality.empty() && !AppliesTo(s, o.municipality)) continue;
    if (!o.category.empty() && !IsWithin(c, s.category(), o.category)) continue;
    int score = 0, matched = 0;
    for (const auto& forms : terms) {
      int best = 0;
      for (size_t field = 0; field < f.fields.size(); ++field)
        for (const auto& word : f.fields[field])
          for (size_t k = 0; k < forms.size(); ++k) {
            // The word as typed matches the start of a word or inside a
            // compound; a synonym only as a whole word ("nett" for "wifi"
            // must not find "nettside").
            const int how = Match(word, forms[k]);
            if (k == 0 || how == 3)
              best = std::max(best, kFieldWeight[field] * how);
          }
      matched += best > 0;
      score += best;
    }
    if (!terms.empty() && matched == 0) continue;
    if (!terms.empty() && f.whole_name == folded_query)
      score += 20;
    else if (!terms.empty() && f.whole_name.starts_with(folded_query))
      score += 10;
    ranked.push_back({{&s, score, matched}, f.name_words, &f.whole_name});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.hit.matched != b.hit.matched) return a.hit.matched > b.hit.matched;
    if (a.hit.score != b.hit.score) return a.hit.score > b.hit.score;
    // As good a match: the shorter name is the more specific service
    // (without a query, by name alone).
    if (a.name_words != b.name_words && a.hit.matched > 0)
      return a.name_words < b.name_words;
    if (*a.sort_name != *b.sort_name) return *a.sort_name < *b.sort_name;
    return a.hit.service->id() < b.hit.service->id();
  });
  // A sentence some services match two words of or more: those are the
  // answer, and the long tail that shares a single word with it ("pc" of
  // "pc garanti") is left out.
  const int best = ranked.empty() ? 0 : ranked.front().hit.matched;
  std::vector<SearchHit> hits;
  for (size_t i = 0; i < ranked.size() && hits.size() < o.limit; ++i)
    if (best < 2 || ranked[i].hit.matched == best)
      hits.push_back(ranked[i].hit);
  return hits;
}

std::vector<SearchHit> Search(const v1::Catalogue& c, std::string_view query,
                              const SearchOptions& o) {
  return SearchIndex(c).Search(query, o);
}

}  // namespace helpdesk::catalogue
