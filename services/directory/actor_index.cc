// ActorIndex (see actor_index.h).
#include "services/directory/actor_index.h"

#include "absl/strings/str_cat.h"

namespace maillage::directory {
namespace {

std::string NameCommune(const ActorKeys& k) { return absl::StrCat(k.folded_name, "\n", k.commune); }
std::string SirenName(const ActorKeys& k) { return absl::StrCat(k.siren, "\n", k.folded_name); }

}  // namespace

void ActorIndex::Add(int64_t id, const ActorKeys& keys) {
  keys_[id] = keys;
  for (auto [map, key] : Entries(keys)) (*map)[key].insert(Rank(id));
}

void ActorIndex::Remove(int64_t id) {
  auto it = keys_.find(id);
  if (it == keys_.end()) return;
  for (auto [map, key] : Entries(it->second)) (*map)[key].erase(Rank(id));
  keys_.erase(it);
}

const ActorKeys* ActorIndex::KeysOf(int64_t id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

ImportMatch ActorIndex::FindMatch(const ActorKeys& keys) const {
  if (int64_t id = First(siret_, keys.siret, 0)) return {id, v1::IMPORT_MATCH_RULE_SIRET};
  if (int64_t id = First(rna_, keys.rna, 0)) return {id, v1::IMPORT_MATCH_RULE_RNA};
  if (!keys.folded_name.empty()) {
    if (int64_t id = First(name_commune_, NameCommune(keys), 0)) {
      return {id, v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE};
    }
  }
  return {};
}

absl::optional<IdentifierOwner> ActorIndex::FindOwner(const ActorKeys& keys, int64_t self) const {
  if (int64_t id = First(siret_, keys.siret, self)) return IdentifierOwner{id, "siret"};
  if (!keys.siren.empty()) {
    if (int64_t id = First(siren_name_, SirenName(keys), self)) {
      return IdentifierOwner{id, "siren_and_name"};
    }
  }
  if (int64_t id = First(rna_, keys.rna, self)) return IdentifierOwner{id, "rna"};
  return absl::nullopt;
}

std::vector<std::pair<ActorIndex::Map*, std::string>> ActorIndex::Entries(const ActorKeys& k) {
  std::vector<std::pair<Map*, std::string>> entries;
  if (!k.siret.empty()) entries.emplace_back(&siret_, k.siret);
  if (!k.rna.empty()) entries.emplace_back(&rna_, k.rna);
  if (!k.siren.empty()) entries.emplace_back(&siren_name_, SirenName(k));
  entries.emplace_back(&name_commune_, NameCommune(k));
  return entries;
}

int64_t ActorIndex::First(const Map& map, const std::string& key, int64_t self) {
  if (key.empty()) return 0;
  auto it = map.find(key);
  if (it == map.end()) return 0;
  for (int64_t rank : it->second) {
    if (IdOf(rank) != self) return IdOf(rank);
  }
  return 0;
}

}  // namespace maillage::directory
