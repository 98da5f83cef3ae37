{{/* Name of the release's objects: <release>-tern, or the release name when it already says tern. */}}
{{- define "tern.fullname" -}}
{{- if contains "tern" .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-tern" .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tern.labels" -}}
app.kubernetes.io/name: tern
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "node"). */}}
{{- define "tern.selectorLabels" -}}
app.kubernetes.io/name: tern
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tern.image" -}}
{{ printf "%s:%s" .Values.image.repository (toString .Values.image.tag) | quote }}
{{- end -}}

{{/* Headless service of the control plane, and the replicas' gRPC addresses. */}}
{{- define "tern.controlService" -}}
{{ include "tern.fullname" . }}-control
{{- end -}}

{{- define "tern.controlAddresses" -}}
{{- $service := include "tern.controlService" . -}}
{{- $addresses := list -}}
{{- range $i := until (int .Values.control.replicas) -}}
{{- $addresses = append $addresses (printf "%s-%d.%s.%s.svc.%s:%d" $service $i $service $.Release.Namespace $.Values.clusterDomain (int $.Values.control.grpcPort)) -}}
{{- end -}}
{{- join "," $addresses -}}
{{- end -}}

{{/* StatefulSet (and headless service) of one zone's storage nodes. */}}
{{- define "tern.nodeService" -}}
{{ include "tern.fullname" .root }}-node-{{ .zone.name }}
{{- end -}}

{{- define "tern.routerAz" -}}
{{- if .Values.router.az -}}
{{ .Values.router.az }}
{{- else -}}
{{ (index .Values.zones 0).name }}
{{- end -}}
{{- end -}}

{{- define "tern.authSecret" -}}
{{- if .Values.auth.existingSecret -}}
{{ .Values.auth.existingSecret }}
{{- else -}}
{{ include "tern.fullname" . }}-auth
{{- end -}}
{{- end -}}

{{/* One extra flag, single-quoted for sh -c. */}}
{{- define "tern.shellArg" -}}
'{{ replace "'" "'\\''" . }}'
{{- end -}}

{{/* Checks run once per render. */}}
{{- define "tern.validate" -}}
{{- if ne (len .Values.zones) 3 -}}
{{- fail "zones: list exactly three zones (every partition keeps one replica in each of three)" -}}
{{- end -}}
{{- if not (has (int .Values.control.replicas) (list 1 3)) -}}
{{- fail "control.replicas: 1 or 3" -}}
{{- end -}}
{{- if or (lt (int .Values.storage.nodesPerZone) 1) (gt (int .Values.storage.nodesPerZone) 999) -}}
{{- fail "storage.nodesPerZone: between 1 and 999" -}}
{{- end -}}
{{- range .Values.zones -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$" .name) -}}
{{- fail (printf "zones: %q is not a DNS label of at most 16 characters" .name) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) (not .Values.auth.credentials) -}}
{{- fail "auth.enabled: set auth.existingSecret or auth.credentials" -}}
{{- end -}}
{{- end -}}

{{/* Readiness, liveness and startup probes on /healthz of a named port. */}}
{{- define "tern.probes" -}}
startupProbe:
  # Up to 10 minutes: a node opens RocksDB and every replica before serving.
  httpGet: {path: /healthz, port: {{ . }}}
  periodSeconds: 2
  failureThreshold: 300
readinessProbe:
  httpGet: {path: /healthz, port: {{ . }}}
  periodSeconds: 5
  timeoutSeconds: 3
livenessProbe:
  httpGet: {path: /healthz, port: {{ . }}}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 6
{{- end -}}
