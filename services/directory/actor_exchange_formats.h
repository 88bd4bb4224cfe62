// The documents ExportActors writes, actor by actor, for the tools of the ESS ecosystem:
// GeoJSON (RFC 7946) for maps, data·inclusion `structure` records (schema v1), schema.org
// Organization as JSON-LD, and the JSON a GoGoCarto / Carteco map imports from a URL. The field
// names, required fields and types of each are in directory_service.proto (ExportFormat) and are
// checked against the formats' published rules by tests/formats.
//
//   const ActorDocumentFormat* format = FindActorDocumentFormat(v1::EXPORT_FORMAT_JSON_LD);
//   std::string out = format->header;
//   bool first = true;
//   for (const v1::Actor& actor : actors) {
//     std::optional<std::string> item = format->item(actor);
//     if (!item) continue;                 // the format cannot hold this actor
//     if (!first) out += format->separator;
//     out += *item;
//     first = false;
//   }
//   out += format->footer;
#pragma once

#include <optional>
#include <string>

#include "maillage/directory/v1/actor.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"

namespace maillage::directory {

struct ActorDocumentFormat {
  const char* content_type;
  const char* header;      // before the first actor
  const char* separator;   // between two actors
  const char* footer;      // after the last actor
  bool needs_coordinates;  // only actors with coordinates belong in the document
  bool points_only;        // reads only name, display name and coordinates (ActorStore::Points)
  // One actor as the format writes it; nullopt when the format cannot hold this actor (e.g. a
  // data·inclusion structure without a description of 50 characters).
  std::optional<std::string> (*item)(const v1::Actor& actor);
};

// The JSON formats of ExportFormat; nullptr for CSV and unspecified.
const ActorDocumentFormat* FindActorDocumentFormat(v1::ExportFormat format);

// The items, exposed for their unit tests.
std::optional<std::string> GeoJsonFeature(const v1::Actor& actor);
// The feature of GeoJsonFeature with the properties `name` and `resource_name` only.
std::optional<std::string> GeoJsonPoint(const v1::Actor& actor);
std::optional<std::string> DataInclusionStructure(const v1::Actor& actor);
std::optional<std::string> SchemaOrgOrganization(const v1::Actor& actor);
std::optional<std::string> GoGoCartoElement(const v1::Actor& actor);

}  // namespace maillage::directory
