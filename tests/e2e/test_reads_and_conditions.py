"""Conditional writes, Query, Scan and the batch operations over HTTP with
boto3 (and the aws CLI for the issue's acceptance lines), against a real
cluster, with DynamoDB's exact errors."""

import concurrent.futures
import json
import os
import subprocess

import pytest

from ddb_helpers import error_of, raw, unique, wait_active


def create(dynamodb, name, hash_key, hash_type="S", range_key=None, range_type="S"):
    definitions = [{"AttributeName": hash_key, "AttributeType": hash_type}]
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        definitions.append({"AttributeName": range_key, "AttributeType": range_type})
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    dynamodb.create_table(TableName=name, AttributeDefinitions=definitions, KeySchema=schema,
                          BillingMode="PAY_PER_REQUEST")
    wait_active(dynamodb, name)
    return name


@pytest.fixture(scope="module")
def orders(dynamodb):
    """customer_id (S) + order_date_id (S), 3 customers x 40 orders."""
    name = create(dynamodb, unique("Orders"), "customer_id", "S", "order_date_id", "S")
    for c in range(3):
        for o in range(40):
            dynamodb.put_item(TableName=name, Item={
                "customer_id": {"S": f"c{c}"},
                "order_date_id": {"S": f"2026-{(o % 12) + 1:02d}-{o:03d}"},
                "amount": {"N": str(o)},
                "status": {"S": "open" if o % 3 else "closed"}})
    return name


@pytest.fixture(scope="module")
def counters(dynamodb):
    return create(dynamodb, unique("Counters"), "id")


# ---- conditional writes ----------------------------------------------------------

def test_create_if_absent_and_condition_failure_returns_old_item(dynamodb, counters):
    item = {"id": {"S": "a"}, "v": {"N": "1"}}
    dynamodb.put_item(TableName=counters, Item=item,
                      ConditionExpression="attribute_not_exists(id)")
    code, message, status = error_of(
        dynamodb.put_item, TableName=counters, Item={"id": {"S": "a"}, "v": {"N": "2"}},
        ConditionExpression="attribute_not_exists(id)")
    assert (code, message, status) == (
        "ConditionalCheckFailedException", "The conditional request failed", 400)
    # Debian's botocore predates ReturnValuesOnConditionCheckFailure: raw JSON.
    reply = raw(dynamodb.meta.endpoint_url, "PutItem", json.dumps({
        "TableName": counters, "Item": {"id": {"S": "a"}, "v": {"N": "3"}},
        "ConditionExpression": "v = :two", "ExpressionAttributeValues": {":two": {"N": "2"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
    assert reply.status_code == 400
    assert reply.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed", "Item": item}
    assert dynamodb.get_item(TableName=counters, Key={"id": {"S": "a"}},
                             ConsistentRead=True)["Item"] == item


def test_conditional_update_and_delete(dynamodb, counters):
    key = {"id": {"S": "u"}}
    dynamodb.put_item(TableName=counters, Item={"id": {"S": "u"}, "n": {"N": "5"},
                                                "tags": {"SS": ["x", "y"]}})
    dynamodb.update_item(TableName=counters, Key=key, UpdateExpression="SET n = n - :one",
                         ConditionExpression="n > :zero AND contains(tags, :x)",
                         ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"},
                                                    ":x": {"S": "x"}})
    code, _, _ = error_of(dynamodb.update_item, TableName=counters, Key=key,
                          UpdateExpression="SET n = :v", ConditionExpression="size(tags) > :n",
                          ExpressionAttributeValues={":v": {"N": "0"}, ":n": {"N": "5"}})
    assert code == "ConditionalCheckFailedException"
    assert dynamodb.get_item(TableName=counters, Key=key,
                             ConsistentRead=True)["Item"]["n"] == {"N": "4"}
    code, _, _ = error_of(dynamodb.delete_item, TableName=counters, Key=key,
                          ConditionExpression="attribute_type(n, :s)",
                          ExpressionAttributeValues={":s": {"S": "S"}})
    assert code == "ConditionalCheckFailedException"
    dynamodb.delete_item(TableName=counters, Key=key, ConditionExpression="n BETWEEN :a AND :b",
                         ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"N": "4"}})
    assert "Item" not in dynamodb.get_item(TableName=counters, Key=key, ConsistentRead=True)


def test_legacy_expected(dynamodb, counters):
    key = {"id": {"S": "legacy"}}
    dynamodb.put_item(TableName=counters, Item={"id": {"S": "legacy"}, "v": {"N": "1"}},
                      Expected={"id": {"Exists": False}})
    code, _, _ = error_of(dynamodb.put_item, TableName=counters,
                          Item={"id": {"S": "legacy"}, "v": {"N": "9"}},
                          Expected={"id": {"Exists": False}})
    assert code == "ConditionalCheckFailedException"
    dynamodb.update_item(TableName=counters, Key=key,
                         AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "1"}}},
                         Expected={"v": {"ComparisonOperator": "IN",
                                         "AttributeValueList": [{"N": "0"}, {"N": "1"}]}})
    code, _, _ = error_of(dynamodb.delete_item, TableName=counters, Key=key,
                          Expected={"v": {"Value": {"N": "1"}}})
    assert code == "ConditionalCheckFailedException"
    dynamodb.delete_item(TableName=counters, Key=key, ConditionalOperator="OR",
                         Expected={"v": {"Value": {"N": "1"}},
                                   "w": {"ComparisonOperator": "NULL"}})
    code, message, _ = error_of(dynamodb.put_item, TableName=counters, Item=key,
                                Expected={"id": {"Exists": False}},
                                ConditionExpression="attribute_not_exists(id)")
    assert code == "ValidationException"
    assert message == ("Can not use both expression and non-expression parameters in the same "
                       "request: Non-expression parameters: {Expected} Expression parameters: "
                       "{ConditionExpression}")


def test_racing_conditional_writes_have_one_winner(dynamodb, counters):
    """Many clients race to create the same items; each item has one winner."""
    import boto3
    from botocore.config import Config
    endpoint = dynamodb.meta.endpoint_url

    def attempt(args):
        client_id, item = args
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="t", aws_secret_access_key="t",
                              config=Config(retries={"max_attempts": 1}))
        try:
            client.put_item(TableName=counters,
                            Item={"id": {"S": f"race-{item}"}, "owner": {"N": str(client_id)}},
                            ConditionExpression="attribute_not_exists(id)")
            return item, client_id
        except client.exceptions.ConditionalCheckFailedException:
            return item, None

    work = [(client_id, item) for item in range(10) for client_id in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, work))
    for item in range(10):
        winners = [c for i, c in results if i == item and c is not None]
        assert len(winners) == 1, (item, winners)
        stored = dynamodb.get_item(TableName=counters, Key={"id": {"S": f"race-{item}"}},
                                   ConsistentRead=True)["Item"]
        assert stored["owner"] == {"N": str(winners[0])}


def test_condition_errors(dynamodb, counters):
    cases = [
        ({"ConditionExpression": "a <"},
         'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "<"'),
        ({"ConditionExpression": "a = :v"},
         "Invalid ConditionExpression: An expression attribute value used in expression is not "
         "defined; attribute value: :v"),
        ({"ConditionExpression": "attribute_exists(id)",
          "ExpressionAttributeValues": {":v": {"S": "x"}}},
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
    ]
    for extra, expected in cases:
        code, message, _ = error_of(dynamodb.put_item, TableName=counters,
                                    Item={"id": {"S": "err"}}, **extra)
        assert (code, message) == ("ValidationException", expected), extra
    reply = raw(dynamodb.meta.endpoint_url, "PutItem", json.dumps({
        "TableName": counters, "Item": {"id": {"S": "err"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}))
    assert reply.json()["message"] == (
        "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
        "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]")
    assert "Item" not in dynamodb.get_item(TableName=counters, Key={"id": {"S": "err"}},
                                           ConsistentRead=True)


# ---- Query -----------------------------------------------------------------------

def test_query_in_both_directions_with_paging(dynamodb, orders):
    def pages(**kwargs):
        items, start, count = [], None, 0
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = dynamodb.query(TableName=orders, ConsistentRead=True, **kwargs, **extra)
            items += page["Items"]
            count += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                return items, count

    condition = {"KeyConditionExpression": "customer_id = :c",
                 "ExpressionAttributeValues": {":c": {"S": "c1"}}}
    forward, n = pages(Limit=7, **condition)
    assert n == 6  # 40 items, 7 per page; the last page is short
    keys = [i["order_date_id"]["S"] for i in forward]
    assert keys == sorted(keys) and len(set(keys)) == 40
    backward, _ = pages(Limit=9, ScanIndexForward=False, **condition)
    assert [i["order_date_id"]["S"] for i in backward] == keys[::-1]


def test_query_key_conditions_filters_and_select(dynamodb, orders):
    values = {":c": {"S": "c2"}, ":p": {"S": "2026-03"}}
    page = dynamodb.query(
        TableName=orders, ConsistentRead=True,
        KeyConditionExpression="customer_id = :c AND begins_with(order_date_id, :p)",
        ExpressionAttributeValues=values)
    assert [i["order_date_id"]["S"][:7] for i in page["Items"]] == ["2026-03"] * 4
    assert page["Count"] == page["ScannedCount"] == 4
    page = dynamodb.query(
        TableName=orders, ConsistentRead=True,
        KeyConditionExpression="customer_id = :c AND order_date_id BETWEEN :a AND :b",
        FilterExpression="#s = :open", ProjectionExpression="amount",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "c2"}, ":a": {"S": "2026-01"},
                                   ":b": {"S": "2026-02~"}, ":open": {"S": "open"}},
        ReturnConsumedCapacity="TOTAL")
    assert page["ScannedCount"] == 8 and page["Count"] == 4
    assert all(set(i) == {"amount"} for i in page["Items"])
    assert page["ConsumedCapacity"] == {"TableName": orders, "CapacityUnits": 1.0}
    counted = dynamodb.query(TableName=orders, Select="COUNT", ConsistentRead=True,
                             KeyConditionExpression="customer_id = :c AND order_date_id < :b",
                             ExpressionAttributeValues={":c": {"S": "c0"},
                                                        ":b": {"S": "2026-02"}})
    assert counted["Count"] == 4 and "Items" not in counted
    legacy = dynamodb.query(
        TableName=orders, ConsistentRead=True,
        KeyConditions={"customer_id": {"ComparisonOperator": "EQ",
                                       "AttributeValueList": [{"S": "c0"}]},
                       "order_date_id": {"ComparisonOperator": "GE",
                                         "AttributeValueList": [{"S": "2026-12"}]}},
        QueryFilter={"amount": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "20"}]}},
        AttributesToGet=["amount"])
    assert legacy["ScannedCount"] == 3 and [i["amount"]["N"] for i in legacy["Items"]] == [
        "23", "35"]


def test_query_errors(dynamodb, orders):
    cases = [
        ({"KeyConditionExpression": "customer_id = :c OR customer_id = :d",
          "ExpressionAttributeValues": {":c": {"S": "a"}, ":d": {"S": "b"}}},
         "Invalid operator used in KeyConditionExpression: OR"),
        ({"KeyConditionExpression": "order_date_id = :c",
          "ExpressionAttributeValues": {":c": {"S": "a"}}},
         "Query condition missed key schema element: customer_id"),
        ({"KeyConditionExpression": "customer_id = :c",
          "ExpressionAttributeValues": {":c": {"N": "1"}}},
         "One or more parameter values were invalid: Condition parameter type does not match "
         "schema type"),
        ({"KeyConditionExpression": "customer_id = :c", "FilterExpression": "order_date_id > :c",
          "ExpressionAttributeValues": {":c": {"S": "a"}}},
         "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
         "order_date_id"),
        ({"KeyConditionExpression": "customer_id = :c",
          "QueryFilter": {"customer_id": {"ComparisonOperator": "NOT_NULL"}},
          "ExpressionAttributeValues": {":c": {"S": "a"}}},
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {QueryFilter} Expression parameters: "
         "{KeyConditionExpression}"),
        ({}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
             "the request."),
        ({"KeyConditionExpression": "customer_id = :c", "Select": "ALL_ATTRIBUTES",
          "ProjectionExpression": "amount", "ExpressionAttributeValues": {":c": {"S": "a"}}},
         "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
    ]
    for request, expected in cases:
        code, message, _ = error_of(dynamodb.query, TableName=orders, **request)
        assert (code, message) == ("ValidationException", expected), request
    # botocore checks Limit itself; the router must too.
    reply = raw(dynamodb.meta.endpoint_url, "Query", json.dumps({
        "TableName": orders, "KeyConditionExpression": "customer_id = :c", "Limit": 0,
        "ExpressionAttributeValues": {":c": {"S": "a"}}}))
    assert reply.json()["message"] == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1")


# ---- Scan ------------------------------------------------------------------------

def test_scan_pages_and_parallel_segments_see_every_item_once(dynamodb, orders):
    seen = []
    start = None
    while True:
        page = dynamodb.scan(TableName=orders, Limit=25, ConsistentRead=True,
                             **({"ExclusiveStartKey": start} if start else {}))
        seen += [(i["customer_id"]["S"], i["order_date_id"]["S"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert len(seen) == len(set(seen)) == 120
    segmented = []
    for segment in range(4):
        start = None
        while True:
            page = dynamodb.scan(TableName=orders, Segment=segment, TotalSegments=4,
                                 ConsistentRead=True,
                                 **({"ExclusiveStartKey": start} if start else {}))
            segmented += [(i["customer_id"]["S"], i["order_date_id"]["S"]) for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(segmented) == sorted(seen)
    filtered = dynamodb.scan(TableName=orders, FilterExpression="amount >= :n", ConsistentRead=True,
                             ExpressionAttributeValues={":n": {"N": "38"}}, Select="COUNT")
    assert filtered["Count"] == 6 and filtered["ScannedCount"] == 120
    legacy = dynamodb.scan(TableName=orders, ConsistentRead=True, ScanFilter={
        "status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "closed"}]}})
    assert legacy["Count"] == 3 * 14
    code, message, _ = error_of(dynamodb.scan, TableName=orders, Segment=4, TotalSegments=4)
    assert message == ("The Segment parameter is zero-based and must be less than parameter "
                       "TotalSegments: Segment: 4 is not less than TotalSegments: 4")


def test_paging_through_thousands_of_items(dynamodb):
    """Every item exactly once and in order, across 1 MB pages."""
    name = create(dynamodb, unique("Big"), "pk", "S", "sk", "N")
    pad = "x" * 1000
    for start in range(0, 3000, 25):
        dynamodb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "pad": {"S": pad}}}}
            for i in range(start, start + 25)]})
    got, pages, start = [], 0, None
    while True:
        page = dynamodb.query(TableName=name, KeyConditionExpression="pk = :p", ConsistentRead=True,
                              ExpressionAttributeValues={":p": {"S": "p"}},
                              **({"ExclusiveStartKey": start} if start else {}))
        got += [int(i["sk"]["N"]) for i in page["Items"]]
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert got == list(range(3000))
    assert pages >= 3  # 3000 items of ~1 KB are more than 2 pages of 1 MB


# ---- batches ---------------------------------------------------------------------

def test_batch_write_and_get(dynamodb, counters, orders):
    dynamodb.batch_write_item(RequestItems={counters: [
        {"PutRequest": {"Item": {"id": {"S": f"b{i}"}, "v": {"N": str(i)}}}} for i in range(10)]})
    got = dynamodb.batch_get_item(RequestItems={
        counters: {"Keys": [{"id": {"S": f"b{i}"}} for i in range(12)],
                   "ProjectionExpression": "v", "ConsistentRead": True},
        orders: {"Keys": [{"customer_id": {"S": "c0"}, "order_date_id": {"S": "2026-01-000"}}],
                 "ConsistentRead": True}},
        ReturnConsumedCapacity="TOTAL")
    assert sorted(int(i["v"]["N"]) for i in got["Responses"][counters]) == list(range(10))
    assert all(set(i) == {"v"} for i in got["Responses"][counters])
    assert len(got["Responses"][orders]) == 1
    assert got["UnprocessedKeys"] == {}
    assert {c["TableName"] for c in got["ConsumedCapacity"]} == {counters, orders}
    result = dynamodb.batch_write_item(RequestItems={counters: [
        {"DeleteRequest": {"Key": {"id": {"S": f"b{i}"}}}} for i in range(10)]})
    assert result["UnprocessedItems"] == {}
    assert dynamodb.batch_get_item(RequestItems={counters: {
        "Keys": [{"id": {"S": "b1"}}], "ConsistentRead": True}})["Responses"][counters] == []


def test_batch_errors(dynamodb, counters):
    cases = [
        (dynamodb.batch_write_item, {"RequestItems": {counters: [
            {"PutRequest": {"Item": {"id": {"S": "d"}}}},
            {"DeleteRequest": {"Key": {"id": {"S": "d"}}}}]}},
         "Provided list of item keys contains duplicates"),
        (dynamodb.batch_write_item, {"RequestItems": {counters: [
            {"PutRequest": {"Item": {"id": {"S": f"x{i}"}}}} for i in range(26)]}},
         "Too many items requested for the BatchWriteItem call"),
        (dynamodb.batch_get_item, {"RequestItems": {counters: {
            "Keys": [{"id": {"S": f"x{i}"}} for i in range(101)]}}},
         "Too many items requested for the BatchGetItem call"),
        (dynamodb.batch_get_item, {"RequestItems": {counters: {
            "Keys": [{"id": {"S": "a"}}, {"id": {"S": "a"}}]}}},
         "Provided list of item keys contains duplicates"),
        (dynamodb.batch_get_item, {"RequestItems": {counters: {"Keys": [{"nope": {"S": "a"}}]}}},
         "The provided key element does not match the schema"),
    ]
    for call, request, expected in cases:
        code, message, _ = error_of(call, **request)
        assert (code, message) == ("ValidationException", expected), request
    code, _, _ = error_of(dynamodb.batch_get_item,
                          RequestItems={"NoSuchTable": {"Keys": [{"id": {"S": "a"}}]}})
    assert code == "ResourceNotFoundException"


# ---- the aws CLI, as in the acceptance ------------------------------------

def test_aws_cli_query_with_begins_with(running_cluster, orders):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="tern", AWS_SECRET_ACCESS_KEY="tern",
               AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run(
        ["/usr/bin/aws", "dynamodb", "query", "--endpoint-url", running_cluster.endpoint,
         "--table-name", orders, "--consistent-read",
         "--key-condition-expression", "customer_id = :cid AND begins_with(order_date_id, :prefix)",
         "--expression-attribute-values",
         json.dumps({":cid": {"S": "c1"}, ":prefix": {"S": "2026-05"}})],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(out.stdout)
    assert result["Count"] == 3
    assert [i["order_date_id"]["S"] for i in result["Items"]] == [
        "2026-05-004", "2026-05-016", "2026-05-028"]


def test_aws_cli_update_item_with_a_reserved_word(running_cluster, counters):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="tern", AWS_SECRET_ACCESS_KEY="tern",
               AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run(
        ["/usr/bin/aws", "dynamodb", "update-item", "--endpoint-url", running_cluster.endpoint,
         "--table-name", counters, "--key", json.dumps({"id": {"S": "cli"}}),
         "--update-expression", "SET #s = :status",
         "--expression-attribute-names", json.dumps({"#s": "status"}),
         "--expression-attribute-values", json.dumps({":status": {"S": "shipped"}}),
         "--return-values", "ALL_NEW"],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout)["Attributes"] == {"id": {"S": "cli"},
                                                    "status": {"S": "shipped"}}


# ---- every function, operator and path form, through the whole stack -------------

FILTER_ITEM = {
    "pk": {"S": "only"},
    "s": {"S": "hello world"}, "n": {"N": "42"}, "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True}, "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2", "3"]}, "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"deep": {"S": "x"}}}]},
    "m": {"M": {"kid": {"M": {"v": {"N": "7"}}}, "dotted.name": {"S": "d"}}},
    "status": {"S": "open"},
}

# (filter, names, values, matches)
FILTER_CASES = [
    ("n = :n", {}, {":n": {"N": "42"}}, True),
    ("n <> :n", {}, {":n": {"N": "42"}}, False),
    ("n < :n", {}, {":n": {"N": "43"}}, True),
    ("n <= :n", {}, {":n": {"N": "42"}}, True),
    ("n > :n", {}, {":n": {"N": "42"}}, False),
    ("n >= :n", {}, {":n": {"N": "42.0"}}, True),
    ("s < :s", {}, {":s": {"S": "help"}}, True),
    ("b = :b", {}, {":b": {"B": b"\x01\x02\x03"}}, True),
    ("n BETWEEN :a AND :b", {}, {":a": {"N": "40"}, ":b": {"N": "42"}}, True),
    ("s BETWEEN :a AND :b", {}, {":a": {"S": "a"}, ":b": {"S": "h"}}, False),
    ("n IN (:a, :b, :c)", {}, {":a": {"N": "1"}, ":b": {"N": "42"}, ":c": {"S": "42"}}, True),
    ("attribute_exists(m.kid.v)", {}, {}, True),
    ("attribute_exists(m.kid.w)", {}, {}, False),
    ("attribute_not_exists(nope)", {}, {}, True),
    ("attribute_type(z, :t)", {}, {":t": {"S": "NULL"}}, True),
    ("attribute_type(ns, :t)", {}, {":t": {"S": "SS"}}, False),
    ("begins_with(s, :p)", {}, {":p": {"S": "hello"}}, True),
    ("begins_with(b, :p)", {}, {":p": {"B": b"\x01"}}, True),
    ("contains(s, :p)", {}, {":p": {"S": "o w"}}, True),
    ("contains(ss, :p)", {}, {":p": {"S": "b"}}, True),
    ("contains(ns, :p)", {}, {":p": {"N": "4"}}, False),
    ("contains(l, :p)", {}, {":p": {"S": "two"}}, True),
    ("size(s) = :n", {}, {":n": {"N": "11"}}, True),
    ("size(l) > :n", {}, {":n": {"N": "2"}}, True),
    ("size(m) = :n", {}, {":n": {"N": "2"}}, True),
    ("size(b) = :n", {}, {":n": {"N": "3"}}, True),
    ("l[2].deep = :x", {}, {":x": {"S": "x"}}, True),
    ("l[0] = :one AND l[1] = :two", {}, {":one": {"N": "1"}, ":two": {"S": "two"}}, True),
    ("m.#d = :d", {"#d": "dotted.name"}, {":d": {"S": "d"}}, True),
    ("#s = :open", {"#s": "status"}, {":open": {"S": "open"}}, True),
    ("t = :t", {}, {":t": {"BOOL": True}}, True),
    ("NOT t = :t", {}, {":t": {"BOOL": True}}, False),
    ("n = :x OR n = :n AND s = :x", {}, {":x": {"S": "no"}, ":n": {"N": "42"}}, False),
    ("(n = :x OR n = :n) AND NOT s = :x", {}, {":x": {"S": "no"}, ":n": {"N": "42"}}, True),
    ("ss = :ss", {}, {":ss": {"SS": ["b", "a"]}}, True),
    ("m.kid = :m", {}, {":m": {"M": {"v": {"N": "7"}}}}, True),
]


def test_every_operator_and_function_as_a_filter(dynamodb):
    name = create(dynamodb, unique("Filters"), "pk")
    dynamodb.put_item(TableName=name, Item=FILTER_ITEM)
    for text, names, values, matches in FILTER_CASES:
        extra = {}
        if names:
            extra["ExpressionAttributeNames"] = names
        if values:
            extra["ExpressionAttributeValues"] = values
        page = dynamodb.scan(TableName=name, FilterExpression=text, ConsistentRead=True, **extra)
        assert (page["Count"], page["ScannedCount"]) == (1 if matches else 0, 1), text
        # The same expression decides a conditional write.
        if matches:
            dynamodb.put_item(TableName=name, Item=FILTER_ITEM, ConditionExpression=text, **extra)
        else:
            code, _, _ = error_of(dynamodb.put_item, TableName=name, Item=FILTER_ITEM,
                                  ConditionExpression=text, **extra)
            assert code == "ConditionalCheckFailedException", text
