# Writes OUT: a C++ file holding every file under SCHEMAS_DIR (templates/*.json, views/*.yaml,
# kibana/*.ndjson) as a string, keyed by its path below SCHEMAS_DIR (see builtin_schemas.h).
file(GLOB_RECURSE files RELATIVE "${SCHEMAS_DIR}" "${SCHEMAS_DIR}/templates/*.json" "${SCHEMAS_DIR}/views/*.yaml" "${SCHEMAS_DIR}/kibana/*.ndjson")
list(SORT files)
set(body "")
foreach(f ${files})
  file(READ "${SCHEMAS_DIR}/${f}" text)
  string(APPEND body "    {\"${f}\", R\"logship_schema(${text})logship_schema\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from schemas/ by embed_schemas.cmake; do not edit.\n#include \"shipper/schemas/builtin_schemas.h\"\n\nnamespace logship {\n\nconst std::vector<std::pair<std::string_view, std::string_view>>& builtin_schema_files() {\n  static const std::vector<std::pair<std::string_view, std::string_view>> files{\n${body}  };\n  return files;\n}\n\n}  // namespace logship\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
