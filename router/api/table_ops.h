// The table operations: CreateTable, DescribeTable, ListTables, DeleteTable,
// UpdateTable, DescribeLimits, DescribeEndpoints, TagResource, UntagResource,
// ListTagsOfResource, DescribeTimeToLive and UpdateTimeToLive. Requests are
// validated here (router/api/table_schema.h); the catalog lives on the
// control plane.
#pragma once

#include <string>

#include "router/api/api.h"
#include "router/routing/catalog_client.h"
#include "router/routing/data_client.h"

namespace tern::router {

// endpoint is what DescribeEndpoints reports ("127.0.0.1:8000"). catalog and
// data must outlive api.
void RegisterTableOperations(Api* api,
                             CatalogClient* catalog,
                             DataClient* data,
                             std::string endpoint);

}  // namespace tern::router
