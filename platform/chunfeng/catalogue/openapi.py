"""The OpenAPI 3.1 document of the open data API (served at /api/v1/openapi.json; the tests check every answer
against it)."""

from __future__ import annotations

from .browse import MAX_PER_PAGE
from .models import ListingPathway, ProductClass

_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_TEXT = {"type": "string"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


def _page_of(item_ref: str) -> dict:
    return _object({
        "items": {"type": "array", "items": {"$ref": item_ref}},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "pages": {"type": "integer", "minimum": 1}, "links": {"$ref": "#/components/schemas/Links"},
    })


_PROJECT = {"title": _TEXT, "public_summary": _TEXT, "specialty": _TEXT, "device_class": _TEXT}

SCHEMAS = {
    "Links": _object({"self": _TEXT, "first": _TEXT, "last": _TEXT, "next": {"type": ["string", "null"]},
                      "prev": {"type": ["string", "null"]}}),
    "Error": _object({"error": _TEXT, "message": _TEXT}),
    "OriginStory": _object({"title": _TEXT, "summary": _TEXT, "incubation_started_on": _DATE,
                            "approved_on": _NULLABLE_DATE}),
    "Product": _object({
        "id": {"type": "integer"}, "name": _TEXT, "registration_no": _TEXT,
        "device_class": {"enum": [c.value for c in ProductClass]}, "approved_on": _DATE,
        "pathway": {"enum": [p.value for p in ListingPathway]}, "specialty": _TEXT, "province": _TEXT,
        "summary": _TEXT, "company": _TEXT, "listed_on": _DATE,
        "origin_story": {"oneOf": [{"$ref": "#/components/schemas/OriginStory"}, {"type": "null"}]},
    }),
    "Result": _object({"round": _TEXT, "round_id": {"type": "integer"}, **_PROJECT,
                       "outcome": {"enum": ["selected_priority", "selected"]},
                       "recommended_pathway": {"type": "array", "items": _TEXT}, "published_on": _NULLABLE_DATE}),
    "SuccessStory": _object({**_PROJECT, "pathway": _TEXT, "incubation_started_on": _DATE,
                             "approved_on": _NULLABLE_DATE}),
    "ProductPage": _page_of("#/components/schemas/Product"),
    "ResultPage": _page_of("#/components/schemas/Result"),
    "SuccessStoryPage": _page_of("#/components/schemas/SuccessStory"),
}


def _json(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_ERRORS = {
    "400": _json("Error", "A parameter is not valid (the message says which, in the client's language)."),
    "429": {**_json("Error", "Too many requests from this address; see Retry-After."),
            "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                    "default": 20}},
]
_FILTERS = [
    {"name": "q", "in": "query", "schema": _TEXT, "description": "Words in the name, registration number or summary."},
    {"name": "specialty", "in": "query", "schema": _TEXT},
    {"name": "device_class", "in": "query", "schema": {"enum": [c.value for c in ProductClass]}},
    {"name": "province", "in": "query", "schema": _TEXT},
    {"name": "pathway", "in": "query", "schema": {"enum": [p.value for p in ListingPathway]}},
    {"name": "approved_from", "in": "query", "schema": _DATE},
    {"name": "approved_to", "in": "query", "schema": _DATE},
]


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chunfeng open data", "version": "1.0.0",
                 "description": "The innovative-product catalogue, published review results and success stories. "
                                "Read-only, paginated and rate-limited."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/catalogue": {"get": {"summary": "Listed products", "parameters": _PAGING + _FILTERS,
                                   "responses": {"200": _json("ProductPage", "A page of listed products."),
                                                 **_ERRORS}}},
            "/catalogue/{listing_id}": {"get": {
                "summary": "One listed product",
                "parameters": [{"name": "listing_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _json("Product", "The product."),
                              "404": _json("Error", "No listed product has this id."), "429": _ERRORS["429"]}}},
            "/results": {"get": {"summary": "Published review results (selected projects)", "parameters": _PAGING,
                                 "responses": {"200": _json("ResultPage", "A page of published results."),
                                               **_ERRORS}}},
            "/success-stories": {"get": {"summary": "Published success stories", "parameters": _PAGING,
                                         "responses": {"200": _json("SuccessStoryPage", "A page of stories."),
                                                       **_ERRORS}}},
        },
        "components": {"schemas": SCHEMAS},
    }
