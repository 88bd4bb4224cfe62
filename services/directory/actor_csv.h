// The CSV columns of actors, shared by ExportActors (and the import that reads them back), and
// the GeoJSON (RFC 7946) features of actors with coordinates.
#pragma once

#include <string>
#include <vector>

#include "maillage/directory/v1/actor.pb.h"

namespace maillage::directory {

// The column names, in file order: `name`, `display_name`, ..., `provenance.last_verified_date`
// (see ImportActorsRequest in directory_service.proto).
const std::vector<std::string>& ActorCsvColumns();

// The cells of `actor` for ActorCsvColumns(): lists joined with `|`, dates YYYY-MM-DD, enums
// without their prefix, empty cells for unset values.
std::vector<std::string> ActorCsvCells(const v1::Actor& actor);

// One CSV line (RFC 4180 quoting, CRLF) of `cells` separated by `separator`.
std::string CsvLine(const std::vector<std::string>& cells, char separator);

// A GeoJSON Feature: a Point [longitude, latitude] with the CSV cells as string properties.
// The actor must have coordinates.
std::string GeoJsonFeature(const v1::Actor& actor);

}  // namespace maillage::directory
