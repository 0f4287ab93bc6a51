package allowlist

import (
	"strings"
	"sync"
)

// isTagName reports whether s is a well-formed Azure service-tag name: one
// or two parts joined by a dot, each an ASCII letter followed by ASCII
// letters and digits, the first part starting with a capital letter, at
// most maxEntryLen bytes in all. All 3,609 distinct tag names in
// Microsoft's service-tag files (Public 2020 and 2025, AzureGovernment,
// China, AzureGermany) have this shape, checked when this was written; no
// IP address or prefix has it (IPv4 starts with a digit, IPv6 has a
// colon), nor do words such as localhost, any or all.
func isTagName(s string) bool {
	if len(s) == 0 || len(s) > maxEntryLen || !isUpper(s[0]) {
		return false
	}
	first, second, dotted := strings.Cut(s, ".")
	return isTagPart(first) && isUpper(first[0]) && (!dotted || isTagPart(second))
}

// isProviderTagName reports whether s is a well-formed tag name under
// Policy.ProviderTags: a first part as in isTagName, then any number of
// parts, each a dot, an ASCII letter or digit, and ASCII letters, digits,
// '-' and '_'. Every Azure tag name has this shape too, and still no
// address does (the first byte is a capital letter and there is no colon).
func isProviderTagName(s string) bool {
	if len(s) == 0 || len(s) > maxEntryLen || !isUpper(s[0]) {
		return false
	}
	first, rest, dotted := strings.Cut(s, ".")
	if !isTagPart(first) || !isUpper(first[0]) {
		return false
	}
	for dotted {
		var part string
		part, rest, dotted = strings.Cut(rest, ".")
		if !isProviderTagPart(part) {
			return false
		}
	}
	return true
}

func isTagPart(s string) bool {
	if len(s) == 0 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isProviderTagPart(s string) bool {
	if len(s) == 0 || !isLetter(s[0]) && !isDigit(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// knownTagBases are the first parts of the service-tag names that
// messages can spell correctly when a list writes them in another case:
// every first part in Microsoft's Public download of 2025-10-20, and the
// provider names of package servicetag's other feeds. They are hints
// only: whether a tag exists is decided by the resolver's tag source.
var knownTagBases = []string{
	"ActionGroup", "ApiManagement", "AppConfiguration", "AppService", "AppServiceManagement",
	"ApplicationInsightsAvailability", "AutonomousDevelopmentPlatform", "AzureActiveDirectory",
	"AzureActiveDirectoryDomainServices", "AzureAdvancedThreatProtection", "AzureArcInfrastructure", "AzureAttestation",
	"AzureBackup", "AzureBotService", "AzureCloud", "AzureCognitiveSearch", "AzureConnectors", "AzureContainerRegistry",
	"AzureCosmosDB", "AzureDataExplorerManagement", "AzureDataLake", "AzureDatabricks", "AzureDevOps", "AzureDevSpaces",
	"AzureDeviceUpdate", "AzureDigitalTwins", "AzureEventGrid", "AzureFrontDoor", "AzureHealthcareAPIs",
	"AzureInformationProtection", "AzureIoTHub", "AzureKeyVault", "AzureLoadTestingInstanceManagement",
	"AzureMachineLearning", "AzureMachineLearningInference", "AzureManagedGrafana", "AzureMonitor",
	"AzureMonitorForSAP", "AzureOpenDatasets", "AzurePortal", "AzureResourceManager", "AzureSecurityCenter",
	"AzureSentinel", "AzureSignalR", "AzureSiteRecovery", "AzureSphere", "AzureSpringCloud", "AzureStack",
	"AzureTrafficManager", "AzureUpdateDelivery", "AzureWebPubSub", "BatchNodeManagement", "ChaosStudio",
	"CognitiveServicesFrontend", "CognitiveServicesManagement", "DataFactory", "DataFactoryManagement",
	"Dynamics365BusinessCentral", "Dynamics365ForMarketingEmail", "EOPExternalPublishedIPs", "EventHub",
	"GatewayManager", "Grafana", "GuestAndHybridManagement", "HDInsight", "KustoAnalytics", "LogicApps",
	"LogicAppsManagement", "M365ManagementActivityApi", "M365ManagementActivityApiWebhook", "Marketplace",
	"MicrosoftAzureFluidRelay", "MicrosoftCloudAppSecurity", "MicrosoftContainerRegistry",
	"MicrosoftDefenderForEndpoint", "MicrosoftPurviewPolicyDistribution", "OneDsCollector", "PowerBI",
	"PowerPlatformInfra", "PowerPlatformPlex", "PowerQueryOnline", "SCCservice", "Scuba", "SecurityCopilot",
	"SerialConsole", "ServiceBus", "ServiceFabric", "Sql", "SqlManagement", "Storage", "StorageMover",
	"StorageSyncService", "VideoIndexer", "WindowsAdminCenter", "WindowsVirtualDesktop",
	// Other providers' feeds.
	"AWS", "Cloudflare", "GitHub", "Google", "GoogleCloud", "Oracle",
}

// tagBaseByFold maps each known base, lower-cased and without '-' and
// '_', to its spelling.
var tagBaseByFold = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(knownTagBases))
	for _, b := range knownTagBases {
		m[foldTagBase(b)] = b
	}
	return m
})

func foldTagBase(s string) string {
	return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
}

// respellTag returns s with its first part spelt as a known tag base, when
// the first part matches one apart from case, '-' and '_', and that
// changes s.
func respellTag(s string) (string, bool) {
	first, rest, dotted := strings.Cut(s, ".")
	base, ok := tagBaseByFold()[foldTagBase(first)]
	if !ok || base == first {
		return "", false
	}
	if dotted {
		return base + "." + rest, true
	}
	return base, true
}
