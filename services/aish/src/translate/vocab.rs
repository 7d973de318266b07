//! The vocabulary: utilities with what they are for, in English, Spanish and French, and their
//! common subcommands. Written for this project.
//!
//! Line format: `tool | description words (en) | es words | fr words | subcommands`.

pub const TOOLS: &str = r#"
help | help builtin builtins shell bash keyword construct loop while for case function syntax usage | ayuda comandos internos shell | aide commandes internes shell |
eval | evaluate string arguments as shell command run constructed command output of another command | evaluar cadena comando shell | evaluer chaine commande shell |
exec | replace shell process with command file descriptor redirect descriptors login shell empty environment | reemplazar proceso shell descriptor archivo | remplacer processus shell descripteur fichier |
trap | signal handler catch signal received exit trap cleanup ignore signals sigint sighup sigterm event | capturar senal manejador | capturer signal gestionnaire |
wait | wait for background process job finish complete exit status pid | esperar proceso segundo plano terminar | attendre processus arriere-plan terminer |
type | command type builtin alias keyword function executable how name interpreted | tipo comando interno | type commande interne |
sh | posix shell dash interpreter script commands | shell posix interprete | shell posix interpreteur |
locale | locale settings language environment lc_all lang available locales character map | configuracion regional idioma | parametres regionaux langue |
route | routing table kernel ip routes gateway default route add delete legacy | tabla enrutamiento ruta puerta enlace | table routage passerelle |
getcap | file capabilities list examine capability | capacidades archivo | capacites fichier |
setcap | set file capabilities capability binary privileges | establecer capacidades | definir capacites |
hardlink | hard links duplicate identical files consolidate deduplicate space | enlaces duros duplicados | liens physiques doublons |
blkdiscard | discard sectors trim device ssd erase blocks | descartar sectores ssd | ignorer secteurs ssd |
update-ca-certificates | ca certificates trusted certificate authority store update bundle | certificados confianza autoridad | certificats confiance autorite |
shopt | shell option options bash behaviour behavior enable disable set unset glob globbing nullglob extglob | opcion shell activar desactivar | option shell activer desactiver |
read | line into shell variable prompt keyboard keypress single character silently | entrada estandar variable teclado | entree standard variable clavier |
finger | user information logged users full name login home directory | informacion usuario | information utilisateur |
who | logged users who is logged in sessions terminals login | usuarios conectados sesion | utilisateurs connectes session |
w | logged users doing idle time load what they are doing | usuarios conectados actividad | utilisateurs connectes activite |
join | join lines two files common field key | unir lineas archivos campo comun | joindre lignes fichiers champ commun |
set | shell variable option positional parameters errexit xtrace trace debug exit on error | variable shell opcion | variable shell option |
pstree | process tree processes parent child hierarchy | arbol procesos | arbre processus |
tac | reverse order of lines backwards reversed | invertir orden lineas | inverser ordre lignes |
zcat | compressed gzip gz files contents print without decompressing | comprimidos contenido gzip | compresses contenu gzip |
zgrep | search compressed gzip files pattern | buscar archivos comprimidos | chercher fichiers compresses |
basename | strip directory and suffix base name of script | nombre base | nom base |
dirname | directory part of a path parent strip last component | directorio padre | repertoire parent |
readlink | resolve symbolic link canonical absolute real path | resolver enlace ruta absoluta | resoudre lien chemin absolu |
paste | merge lines of files side by side columns serial | unir lineas columnas | fusionner lignes colonnes |
shred | overwrite securely erase destroy file zeroes | borrar seguro sobrescribir | effacer securise ecraser |
exit | exit shell script with exit code | salir script | quitter script |
bind | readline key binding keybindings keyboard shortcut | atajo teclado | raccourci clavier |
od | octal dump of bytes | volcado octal | dump octal |
ifconfig | legacy network interface configuration inet | interfaz red | interface reseau |
getent | entries of passwd group hosts nss databases | entradas passwd | entrees passwd |
zipinfo | list zip jar archive details | detalles zip | details zip |
xhost | x server access control display | acceso servidor x | acces serveur x |
ls | list files directory contents hidden long listing sort size modification time permissions folder | listar lista archivos directorio contenido carpeta ocultos | lister liste fichiers repertoire contenu dossier caches |
cat | concatenate contents file files standard output stdin numbered | mostrar contenido archivo concatenar | afficher contenu fichier concatener |
grep | search find pattern text string regex match lines containing files recursively case insensitive occurrences word | buscar patron texto cadena coincidencias lineas contienen expresion regular | chercher motif texte chaine correspondance lignes contenant expression reguliere |
find | find search locate files directories name extension type size modified newer older recursively tree path empty permission owner | buscar encontrar archivos directorios nombre extension tamano modificados arbol | chercher trouver fichiers repertoires nom extension taille modifies arborescence |
du | disk usage size directory folder space used estimate summarize total biggest | uso disco tamano directorio carpeta espacio ocupado | utilisation disque taille repertoire dossier espace occupe |
df | disk free space filesystem filesystems mounted available capacity inodes | espacio libre disco sistema archivos disponible | espace libre disque systeme fichiers disponible |
ps | process processes running snapshot pid pids status tree | procesos ejecucion | processus execution |
top | monitor processes cpu memory usage real time interactive dynamic resources | monitorear procesos uso cpu memoria tiempo real | surveiller processus utilisation cpu memoire temps reel |
htop | interactive process viewer monitor cpu memory | visor interactivo procesos | visualiseur interactif processus |
kill | kill terminate process signal pid send stop | matar terminar proceso senal | tuer terminer processus signal |
pkill | kill processes by name pattern signal | matar procesos nombre | tuer processus nom |
killall | kill all processes by name | matar todos procesos nombre | tuer tous processus nom |
pgrep | find process id pid by name pattern | buscar proceso pid nombre | chercher processus pid nom |
free | memory ram usage free used swap available | memoria ram uso libre | memoire ram utilisation libre |
uptime | how long system running uptime load average boot | tiempo encendido carga sistema | temps fonctionnement charge systeme |
uname | kernel version system information architecture operating machine name release | version nucleo kernel informacion sistema arquitectura | version noyau kernel information systeme architecture |
hostname | hostname host name machine computer show set | nombre equipo maquina host | nom machine hote |
whoami | current user name logged effective | usuario actual | utilisateur actuel |
id | user group ids identity uid gid | identidad usuario grupo | identite utilisateur groupe |
pwd | print current working directory path where am i | directorio actual trabajo ruta | repertoire courant travail chemin |
cd | change directory go folder navigate | cambiar directorio ir carpeta | changer repertoire aller dossier |
mkdir | make directory directories folder parents nested | crear directorio carpeta | creer repertoire dossier |
rmdir | remove delete empty directory folder | eliminar directorio vacio | supprimer repertoire vide |
touch | create empty file update timestamp modification access time | crear archivo vacio actualizar marca tiempo | creer fichier vide mettre jour horodatage |
rm | remove delete files directories recursively force erase | eliminar borrar archivos directorios recursivamente forzar | supprimer effacer fichiers repertoires recursivement forcer |
cp | copy files directories recursively duplicate | copiar archivos directorios duplicar | copier fichiers repertoires dupliquer |
mv | move rename files directories | mover renombrar archivos directorios | deplacer renommer fichiers repertoires |
ln | link symbolic symlink hard create | enlace simbolico crear | lien symbolique creer |
chmod | change permissions mode executable read write execute access rights | cambiar permisos modo ejecutable | changer permissions mode executable droits |
chown | change owner ownership user group file | cambiar propietario dueno | changer proprietaire |
chgrp | change group ownership | cambiar grupo | changer groupe |
tar | archive tarball compress extract create tar gz bz2 xz list contents | archivo comprimir extraer crear empaquetar | archive compresser extraire creer |
zip | compress zip archive package files folder | comprimir zip archivo | compresser zip archive |
unzip | extract decompress unpack zip archive list | extraer descomprimir zip | extraire decompresser zip |
gzip | compress decompress gz file gzip | comprimir descomprimir gz | compresser decompresser gz |
gunzip | decompress gz gzip file | descomprimir gz | decompresser gz |
xz | compress decompress xz lzma | comprimir descomprimir xz | compresser decompresser xz |
bzip2 | compress decompress bz2 | comprimir bz2 | compresser bz2 |
7z | 7zip archive compress extract | comprimir extraer 7zip | compresser extraire 7zip |
head | first lines beginning bytes | primeras lineas inicio | premieres lignes debut |
tail | last lines end file follow log growing output | ultimas lineas final archivo seguir | dernieres lignes fin fichier suivre |
less | view page file scroll pager read interactively | ver paginar archivo desplazar | voir paginer fichier defiler |
more | page view file screen | paginar ver archivo | paginer voir fichier |
wc | count lines words characters bytes number file | contar lineas palabras caracteres numero | compter lignes mots caracteres nombre |
sort | sort order lines alphabetically numerically reverse unique | ordenar lineas alfabeticamente numericamente inverso | trier lignes alphabetiquement numeriquement inverse |
uniq | unique duplicate lines adjacent count remove repeated | lineas unicas duplicadas repetidas | lignes uniques dupliquees repetees |
cut | cut extract columns fields delimiter characters bytes | cortar columnas campos delimitador | couper colonnes champs delimiteur |
tr | translate replace delete characters uppercase lowercase squeeze | traducir reemplazar caracteres mayusculas minusculas | traduire remplacer caracteres majuscules minuscules |
sed | stream editor replace substitute text pattern lines file edit delete insert | reemplazar sustituir texto editar lineas | remplacer substituer texte editer lignes |
awk | pattern scanning processing columns fields print text program sum | procesar columnas campos texto | traiter colonnes champs texte |
diff | compare differences files directories line by line | comparar diferencias archivos | comparer differences fichiers |
cmp | compare two files byte | comparar archivos byte | comparer fichiers octet |
comm | compare sorted files common lines | comparar lineas comunes | comparer lignes communes |
echo | print text string message variable value newline escape sequences arguments prompt print output text prints | imprimir texto mensaje variable imprime | afficher texte message variable affiche |
printf | format print formatted string output | imprimir formato | imprimer format |
date | date time current clock timestamp epoch format utc | fecha hora actual | date heure actuelle |
cal | calendar month year show | calendario mes ano | calendrier mois annee |
sleep | wait pause delay seconds | esperar pausa segundos | attendre pause secondes |
watch | execute command periodically repeatedly monitor output refresh | ejecutar periodicamente repetidamente | executer periodiquement |
history | command history previous commands shell | historial comandos | historique commandes |
which | locate command executable path program binary | localizar comando ejecutable ruta | localiser commande executable chemin |
whereis | locate binary source manual page | localizar binario | localiser binaire |
man | manual page pages documentation section manpage | manual pagina documentacion | manuel page documentation |
file | determine file type | tipo archivo determinar | type fichier determiner |
stat | file status information size permissions timestamps inode | estado archivo informacion | etat fichier information |
tree | directory tree structure recursive listing | arbol directorios estructura | arbre repertoires structure |
ln | link | enlace | lien |
basename | strip directory suffix filename | nombre base | nom base |
dirname | directory part path | directorio ruta | repertoire chemin |
realpath | absolute path resolved canonical | ruta absoluta | chemin absolu |
readlink | resolve symbolic link target | resolver enlace | resoudre lien |
xargs | build execute command arguments standard input each | ejecutar argumentos entrada | executer arguments entree |
tee | write output file and standard output | escribir salida archivo | ecrire sortie fichier |
split | split file pieces parts chunks lines size | dividir archivo partes | diviser fichier morceaux |
md5sum | md5 checksum hash verify | suma verificacion md5 hash | somme controle md5 hash |
sha256sum | sha256 checksum hash verify integrity | suma verificacion sha256 | somme controle sha256 |
base64 | encode decode base64 | codificar decodificar base64 | encoder decoder base64 |
ssh | remote login connect secure shell server host key tunnel | conectar remoto servidor | connecter distant serveur |
scp | secure copy files remote host | copiar archivos remoto | copier fichiers distant |
rsync | synchronize sync copy files remote mirror backup | sincronizar copiar archivos respaldo | synchroniser copier fichiers sauvegarde |
curl | transfer data url http request download upload api get post headers | transferir datos url descargar peticion | transferer donnees url telecharger requete |
wget | download file url web http retrieve mirror | descargar archivo url web | telecharger fichier url web |
ping | ping check network connectivity host reachable latency packets | comprobar conectividad red host | verifier connectivite reseau hote |
traceroute | trace route network path hops host | trazar ruta red | tracer route reseau |
dig | dns lookup query domain records name server | consultar dns dominio | interroger dns domaine |
nslookup | dns query domain ip address | consultar dns | interroger dns |
host | dns lookup domain name | consultar dns | interroger dns |
ip | ip address network interfaces routes links show configure route routes routing neighbour neighbor arp link links interface interfaces address addresses netns namespace tunnel vlan bridge mtu multicast | direccion ip red interfaces rutas ruta enlace | adresse ip reseau interfaces routes route lien |
ss | sockets listening ports connections network tcp udp | sockets puertos escucha conexiones | sockets ports ecoute connexions |
netstat | network connections ports listening routing statistics | conexiones red puertos | connexions reseau ports |
nmap | scan network ports hosts security | escanear puertos red | scanner ports reseau |
systemctl | service services unit units systemd start stop restart reload enable disable status daemon boot bootup running failed enabled target mask unmask dependencies default mode isolate timer socket journal user session login logind power suspend hibernate hybrid sleep kexec halt poweroff rescue emergency environment property properties cgroup | servicio servicios unidad unidades iniciar detener reiniciar habilitar deshabilitar estado arranque suspender | service services unite unites demarrer arreter redemarrer activer desactiver etat demarrage suspendre | start stop restart reload enable disable status list-units daemon-reload mask unmask is-active isolate
journalctl | logs journal systemd service messages boot kernel follow | registros diario mensajes servicio arranque | journaux messages service demarrage |
service | init script sysvinit | script init | script init | start stop restart status
dmesg | kernel messages ring buffer boot hardware driver | mensajes nucleo kernel | messages noyau kernel |
shutdown | shutdown power off halt reboot schedule machine | apagar sistema equipo | eteindre systeme |
reboot | reboot restart machine computer system | reiniciar equipo sistema | redemarrer machine systeme |
apt | package install remove update upgrade search debian ubuntu software | paquete instalar eliminar actualizar buscar software | paquet installer supprimer mettre jour chercher logiciel | install remove purge update upgrade search show list autoremove full-upgrade
apt-get | package install remove update upgrade debian | paquete instalar actualizar | paquet installer | install remove purge update upgrade dist-upgrade autoremove clean
dpkg | debian package install list files query | paquete debian | paquet debian |
dnf | package install update fedora rpm | paquete instalar fedora | paquet installer fedora | install remove upgrade search info list
pacman | package arch install sync update | paquete arch | paquet arch |
snap | snap package install | paquete snap | paquet snap | install remove list find refresh
flatpak | flatpak application install run | aplicacion flatpak | application flatpak | install uninstall list run update search
pip | python package install uninstall requirements pypi wheel wheels requirements.txt virtualenv site-packages index extra-index editable constraint distribution dependencies dependency outdated upgrade cache hash | paquete python instalar requisitos | paquet python installer exigences | install uninstall list show freeze download
npm | node javascript package packages install dependencies dependency package.json scripts registry publish module scope collaborator access token dist-tag semver workspace npmrc audit vulnerabilities cache global node_modules lock file lockfile tarball lifecycle team teams organization org deduplicate dedupe rebuild bug bugs tracker property config completion shell profile parseable funding fund prune shrinkwrap star unpublish deprecate | paquete paquetes node javascript dependencias registro equipo organizacion | paquet paquets node javascript dependances registre equipe organisation | install uninstall update run init publish list test ci audit outdated cache config access owner login logout version view search pack link
yarn | node javascript package dependencies | paquete node | paquet node | add remove install upgrade run
cargo | rust crate package build compile project test run dependencies cargo.toml rust binary binaries library crate crates crates.io registry yank target directory benchmark benchmarks bench features workspace manifest lockfile cargo.lock nightly compiler toolchain documentation doc rustdoc clippy lint format publish owner owners vendor tree dependency dependencies example examples release profile | paquete rust compilar proyecto crate biblioteca binario caja | paquet rust compiler projet crate bibliotheque binaire | build run test new init add install check clippy fmt doc publish update bench clean
rustup | rust toolchain install update component target default toolchain toolchains nightly stable beta component components target targets override default self update rust-src rust-analyzer doc | cadena herramientas rust cadena herramientas | chaine outils rust chaine outils | update install default component target toolchain show
go | go golang module build run test | modulo go compilar | module go compiler | build run test mod get install fmt
python | python script interpreter run repl | interprete python ejecutar | interpreteur python executer |
node | node javascript run script | ejecutar javascript | executer javascript |
git | git repository repositories commit commits branch branches merge rebase stash push pull clone checkout log diff status remote tag staged changes working tree version control history upstream origin cherry-pick submodule worktree reflog bisect blame head index untracked tracked author hash refs patch hooks | repositorio confirmacion confirmaciones rama ramas fusionar cambios historial remoto etiqueta | depot commit branche branches fusionner modifications historique distant etiquette | status add commit push pull clone checkout switch branch merge rebase stash log diff show reset revert tag remote fetch init config cherry-pick blame bisect clean restore rm mv submodule worktree reflog archive
docker | docker container containers image images run build pull push volume volumes network networks compose dockerfile registry exec logs daemon swarm tag prune swarm manager worker join token stack compose services volume volumes container containers logs context contexts buildx builder image layer layers registry login tag tags prune dangling healthcheck entrypoint port ports mount bind detached interactive tty | contenedor contenedores imagen imagenes ejecutar construir volumen contenedor registro | conteneur conteneurs image images executer construire volume conteneur registre | run ps images build pull push exec logs stop start rm rmi volume network compose inspect tag login system container image
podman | container image pod run | contenedor imagen | conteneur image | run ps images build pull
kubectl | kubernetes pod pods deployment service namespace cluster node nodes resource replica configmap secret context manifest ingress node nodes cordon uncordon schedulable unschedulable drain taint context contexts kubeconfig plugin plugins api resources resource rollout rollback replicaset statefulset daemonset job cronjob pvc persistentvolume label labels annotation proxy port-forward attach debug events dump cluster-info manifest yaml apply patch scale autoscale certificate csr role rolebinding serviceaccount | kubernetes pod despliegue clúster espacio nombres nodo nodos contexto recursos | kubernetes pod deploiement grappe espace noms noeud noeuds contexte ressources | get describe apply delete logs exec create edit rollout scale port-forward config top expose label annotate run
helm | kubernetes chart release repository | chart kubernetes | chart kubernetes | install upgrade uninstall list repo search
aws | aws amazon cloud s3 bucket ec2 instance lambda function iam role policy cloudformation stack region dynamodb table sqs queue sns topic subscription ecr ecs eks cloudwatch secret route53 kinesis amplify cloudwatch dashboard dashboards alarm metrics analyzer certificate acm item items table tables batch athena glue sagemaker codecommit codebuild codepipeline elb load balancer vpc subnet security key pair keys access snapshot ami ebs efs account organization billing cost quicksight rekognition polly translate textract comprehend cognito pool identity appconfig backend environment stream streams shard record records zone zones hosted credentials profile sso | nube amazon cubo instancia registro tabla elementos cubeta | nuage amazon seau instance | s3 ec2 iam lambda sts cloudformation dynamodb sqs sns ecr ecs eks logs configure rds secretsmanager ssm route53 kms
gcloud | google cloud gcp project compute instance app engine config auth sdk gcp compute engine instance instances vm zone region project projects app engine sdk components bucket storage iam service account kubernetes gke cluster clusters functions run deploy firestore pubsub billing organization configurations | nube google proyecto proyecto | nuage google projet projet | compute config auth projects app components container sql
az | azure cloud microsoft resource group vm | nube azure | nuage azure | login vm group account storage
terraform | terraform infrastructure plan apply destroy state provider module workspace configuration state resource resources provider providers module modules workspace workspaces plan apply destroy output outputs variable variables backend lock graph import taint refresh tfstate hcl infrastructure | infraestructura plan aplicar estado recurso proveedor | infrastructure plan appliquer etat ressource fournisseur | init plan apply destroy validate fmt state workspace output import show providers
ansible | ansible automation playbook hosts inventory | automatizacion | automatisation |
btrfs | btrfs filesystem subvolume snapshot balance scrub device subvolume subvolumes snapshot snapshots balance scrub quota qgroup device devices filesystem label defragment compression raid restore rescue send receive | sistema archivos btrfs subvolumen instantanea subvolumen instantanea | systeme fichiers btrfs sous-volume instantane sous-volume instantane | subvolume filesystem balance scrub device check property send receive
mount | mount filesystem device partition directory | montar sistema archivos dispositivo | monter systeme fichiers peripherique |
umount | unmount filesystem device | desmontar | demonter |
lsblk | list block devices disks partitions | listar dispositivos bloque discos particiones | lister peripheriques disques partitions |
fdisk | partition table disk manipulate | tabla particiones disco | table partitions disque |
mkfs | make create filesystem format partition | crear sistema archivos formatear | creer systeme fichiers formater |
dd | convert copy raw disk image bytes block device | copiar imagen disco | copier image disque |
lscpu | cpu information architecture cores | informacion cpu procesador | information cpu processeur |
lsusb | list usb devices | listar dispositivos usb | lister peripheriques usb |
lspci | list pci devices hardware | listar dispositivos pci | lister peripheriques pci |
useradd | create add new user account login home | crear anadir usuario cuenta | creer ajouter utilisateur compte |
usermod | modify user account group shell | modificar usuario cuenta | modifier utilisateur compte |
userdel | delete remove user account | eliminar usuario | supprimer utilisateur |
passwd | change user password | cambiar contrasena | changer mot passe |
groupadd | create group | crear grupo | creer groupe |
sudo | run command as root superuser administrator privileges another user | ejecutar como root superusuario | executer comme root superutilisateur |
su | switch user substitute root | cambiar usuario | changer utilisateur |
crontab | schedule cron jobs periodic tasks table edit list | programar tareas cron | planifier taches cron |
openssl | ssl tls certificate key encrypt decrypt generate csr hash digest certificate certificates csr key private public rsa ecdsa x509 pem der pkcs12 p12 cipher ciphers tls ssl handshake server client digest hash random prime sign verify encrypt decrypt s_client | certificado clave cifrar descifrar certificado clave | certificat cle chiffrer dechiffrer certificat cle | req x509 genrsa rsa s_client enc dgst rand
gpg | gpg encrypt decrypt sign verify key keyring pgp | cifrar descifrar firmar verificar clave | chiffrer dechiffrer signer verifier cle |
ssh-keygen | generate ssh key pair fingerprint | generar clave ssh | generer cle ssh |
iptables | firewall rules packet filter chain nat | cortafuegos reglas | pare-feu regles |
ufw | firewall uncomplicated allow deny port | cortafuegos permitir denegar puerto | pare-feu autoriser refuser port |
nmcli | networkmanager wifi connection network device | red conexion wifi | reseau connexion wifi |
alias | alias shortcut command name | alias atajo | alias raccourci |
export | export environment variable set | exportar variable entorno | exporter variable environnement |
env | environment variables run command | variables entorno | variables environnement |
printenv | print environment variables | imprimir variables entorno | afficher variables environnement |
source | execute commands file current shell | ejecutar archivo shell actual | executer fichier shell |
jobs | list background jobs | trabajos segundo plano | taches arriere-plan |
bg | resume job background | reanudar segundo plano | reprendre arriere-plan |
fg | bring job foreground | primer plano | premier plan |
nohup | run immune hangups background logout | ejecutar sin colgar | executer sans interruption |
screen | terminal multiplexer session detach | multiplexor terminal sesion | multiplexeur terminal session |
tmux | terminal multiplexer session window pane | multiplexor terminal sesion | multiplexeur terminal session |
vim | text editor edit file | editor texto editar | editeur texte editer |
nano | simple text editor edit file | editor texto simple | editeur texte simple |
make | build compile makefile targets | compilar construir | compiler construire |
gcc | compile c program source | compilar programa c | compiler programme c |
jq | json process query filter pretty print | json procesar consultar filtrar | json traiter filtrer |
yq | yaml process query | yaml procesar | yaml traiter |
column | format columns table | columnas tabla | colonnes tableau |
nl | number lines file | numerar lineas | numeroter lignes |
rev | reverse lines characters | invertir | inverser |
seq | sequence numbers print | secuencia numeros | sequence nombres |
yes | output string repeatedly | repetir | repeter |
bc | calculator arithmetic math expression | calculadora aritmetica | calculatrice arithmetique |
expr | evaluate expression arithmetic | evaluar expresion | evaluer expression |
ipcs | ipc shared memory semaphores message queues | memoria compartida semaforos | memoire partagee semaphores |
lsof | list open files process port | archivos abiertos | fichiers ouverts |
strace | trace system calls signals | rastrear llamadas sistema | tracer appels systeme |
timedatectl | time date timezone ntp system clock | zona horaria reloj | fuseau horaire horloge |
hostnamectl | hostname system set | nombre host | nom hote |
locate | find files by name database | localizar archivos | localiser fichiers |
mktemp | create temporary file directory | crear archivo temporal | creer fichier temporaire |
xxd | hex dump binary | volcado hexadecimal | vidage hexadecimal |
hexdump | hex dump display file | volcado hexadecimal | vidage hexadecimal |
strings | printable strings binary file | cadenas imprimibles binario | chaines imprimables binaire |
mvn | maven java project build dependencies maven pom pom.xml artifact artifacts lifecycle goal goals plugin repository dependency dependencies jar war build test package install deploy clean | proyecto java maven proyecto | projet java maven projet | clean install package compile test deploy
gradle | gradle java build | construir java | construire java |
java | java run jar class | ejecutar java | executer java |
tput | terminal capabilities colors cursor | terminal colores | terminal couleurs |
look | display lines beginning prefix dictionary | lineas comienzan prefijo | lignes commencent prefixe |
gio | gnome files trash mount open | archivos papelera | fichiers corbeille |
pyenv | python versions install switch | versiones python | versions python | install versions global local
systemd-analyze | boot time analyze performance | tiempo arranque | temps demarrage |
ffmpeg | convert video audio media encode | convertir video audio | convertir video audio |
convert | image convert resize format imagemagick | imagen convertir redimensionar | image convertir redimensionner |
test | test condition exists exist equal equals string empty non-empty zero length integer greater less variable true false regular readable writable executable expression compare | comprobar condicion existe igual cadena vacia variable | tester condition existe egal chaine vide variable |
mesg | allow disallow messages terminal write access receive talk wall | permitir mensajes terminal | autoriser messages terminal |
renice | priority niceness running process change scheduling pid | prioridad proceso | priorite processus |
nice | priority niceness launch adjusted scheduling lower higher | prioridad ejecutar | priorite lancer |
ionice | io priority class scheduling disk idle realtime best-effort | prioridad disco | priorite disque |
chattr | attribute attributes immutable append-only ext4 filesystem flag | atributos inmutable | attributs immuable |
lsattr | attribute attributes immutable ext4 list flags | atributos | attributs |
losetup | loop device devices image attach detach backing | dispositivo loop imagen | peripherique boucle image |
sysctl | kernel parameter parameters runtime proc sys tunable | parametros kernel | parametres noyau |
localectl | locale locales keyboard layout keymap language system x11 | idioma teclado distribucion | langue clavier disposition |
loginctl | login sessions seats users logind lock terminate | sesiones usuarios | sessions utilisateurs |
busctl | d-bus dbus bus objects services introspect method call monitor | bus servicios | bus services |
systemd-run | transient unit scope service timer | unidad transitoria | unite transitoire |
fuser | processes using file socket port mount identify kill | procesos usando archivo puerto | processus utilisant fichier port |
flock | lock file locks exclusive shared script concurrent lockfile | bloqueo archivo | verrou fichier |
timeout | time limit duration kill after seconds run limited | limite tiempo | limite temps |
setsid | new session detached terminal | nueva sesion | nouvelle session |
ldd | shared libraries library dependencies dynamic linked executable | bibliotecas compartidas dependencias | bibliotheques partagees dependances |
objdump | object disassemble disassembly sections headers symbols binary elf | desensamblar objeto binario | desassembler objet binaire |
nm | symbols symbol table object binary library | simbolos objeto | symboles objet |
readelf | elf headers sections segments program symbols binary | cabeceras elf | entetes elf |
gdb | debugger debug breakpoint backtrace core dump attach step | depurador depurar | debogueur deboguer |
perf | performance profiling profile counters sampling cpu record report stat top events | rendimiento perfil | performance profil |
zstd | zstandard zst compress decompress compression level fast | comprimir descomprimir zst | compresser decompresser zst |
lz4 | lz4 compress decompress fast compression | comprimir descomprimir | compresser decompresser |
b2sum | blake2 checksum hash digest verify | suma blake2 | somme blake2 |
sha1sum | sha1 checksum hash digest verify | suma sha1 | somme sha1 |
sha512sum | sha512 checksum hash digest verify | suma sha512 | somme sha512 |
cksum | crc checksum cyclic redundancy | suma crc | somme crc |
wipefs | wipe signatures filesystem partition-table signature erase device | borrar firmas | effacer signatures |
mkswap | swap area swapspace partition | area swap intercambio | espace swap echange |
swapon | swap enable activate swapspace | activar swap intercambio | activer swap echange |
e2fsck | ext2 ext3 ext4 filesystem check repair fsck | comprobar reparar sistema archivos | verifier reparer systeme fichiers |
tune2fs | ext2 ext3 ext4 filesystem tunable parameters label reserved blocks mount count | ajustar sistema archivos | ajuster systeme fichiers |
resize2fs | resize grow shrink ext2 ext3 ext4 filesystem | redimensionar sistema archivos | redimensionner systeme fichiers |
blkid | block device uuid label filesystem type attributes | uuid etiqueta | uuid etiquette |
findmnt | mounted filesystems mount points tree | sistemas montados | systemes montes |
partx | partitions partition table kernel disk image | particiones | partitions |
sfdisk | partition table script dump partitions disk | particiones tabla | partitions table |
blockdev | block device ioctls readonly read-write size sectors flush buffers | dispositivo bloques | peripherique blocs |
badblocks | bad blocks sectors disk device surface | bloques defectuosos | blocs defectueux |
chroot | root directory change run command shell new root jail | raiz cambiar | racine changer |
unshare | namespace namespaces new isolated | espacio nombres | espace noms |
nsenter | enter namespace namespaces process | espacio nombres | espace noms |
lsns | namespaces list | espacios nombres | espaces noms |
ipcrm | ipc message queue semaphore shared memory segment remove | cola mensajes semaforo memoria compartida | file messages semaphore memoire partagee |
pmap | memory map process address space | mapa memoria proceso | carte memoire processus |
pidof | pid process name running program | pid proceso | pid processus |
logger | syslog system log message entry journal write | registro sistema mensaje | journal systeme message |
wall | broadcast message all logged users terminals | mensaje todos usuarios | message tous utilisateurs |
write | message another user terminal tty | mensaje usuario | message utilisateur |
users | logged usernames currently | usuarios conectados | utilisateurs connectes |
lastb | bad failed login attempts | intentos fallidos | tentatives echouees |
lastlog | recent login users | ultimo inicio sesion | derniere connexion |
chsh | login shell change | shell inicio | shell connexion |
chfn | finger information real name office phone | informacion usuario | information utilisateur |
gpasswd | group administration members password administrators | grupo miembros | groupe membres |
newgrp | group login change current | grupo cambiar | groupe changer |
adduser | add user group account interactive home | agregar usuario cuenta | ajouter utilisateur compte |
deluser | remove user group account | eliminar usuario cuenta | supprimer utilisateur compte |
namei | path components follow pathname symlinks permissions | componentes ruta | composants chemin |
dircolors | ls colors ls_colors color setup | colores ls | couleurs ls |
numfmt | numbers human readable units convert si iec | numeros unidades | nombres unites |
fmt | reformat paragraph paragraphs width wrap text | formatear parrafos | reformater paragraphes |
pr | paginate pages header columns printing | paginar | paginer |
expand | tabs spaces convert | tabulaciones espacios | tabulations espaces |
unexpand | spaces tabs blanks convert | espacios tabulaciones | espaces tabulations |
csplit | split context pattern sections pieces | dividir secciones | decouper sections |
shuf | shuffle random permutation lines pick randomly | aleatorio mezclar | aleatoire melanger |
factor | prime factors factorize number | factores primos | facteurs premiers |
iconv | character encoding convert charset utf-8 latin1 | codificacion convertir | encodage convertir |
envsubst | environment variables substitute template | sustituir variables plantilla | substituer variables modele |
install | copy set attributes mode owner permissions create directories | copiar atributos | copier attributs |
dpkg-query | installed packages database query status listing | paquetes instalados consulta | paquets installes requete |
apt-cache | package cache search policy dependencies depends rdepends showpkg | cache paquetes | cache paquets |
apt-mark | hold unhold manual auto installed package mark | marcar retener paquete | marquer retenir paquet |
update-alternatives | alternatives symbolic links default command priority | alternativas | alternatives |
systemd-tmpfiles | temporary volatile files directories create clean remove configuration | temporales | temporaires |
mandb | manual page index caches database | indice manual | index manuel |
whatis | manual page descriptions one-line | descripciones manual | descriptions manuel |
apropos | search manual page names descriptions keyword | buscar manual | chercher manuel |
fc-list | fonts installed list fontconfig | fuentes instaladas | polices installees |
fc-cache | font cache fonts fontconfig rebuild | cache fuentes | cache polices |
gsettings | gsettings dconf schema key desktop settings gnome | configuracion escritorio | parametres bureau |
gpg | gpg gnupg pgp keyring encrypt decrypt sign signature detached verify public secret key keys import export armor recipient trust fingerprint | firma cifrar clave llavero | signer chiffrer cle trousseau |
unzip | zip archive extract list contents test password | extraer zip | extraire zip |
wget | download web page file url recursive mirror resume retries limit rate background spider | descargar web pagina | telecharger web page |
curl | url http https request get post put headers json download upload cookie proxy redirect verbose user-agent | peticion http | requete http |
kill | signal sigterm sigkill sighup pid terminate process send | senal proceso | signal processus |
journalctl | systemd journal logs log messages unit boot priority follow since until kernel | registros diario | journal |
systemctl | service unit systemd enable disable start stop restart reload status mask jobs dependencies | servicio unidad | service unite |
su | switch user login shell root substitute | cambiar usuario | changer utilisateur |
usermod | modify user account groups supplementary group shell home lock unlock expire | modificar usuario grupos | modifier utilisateur groupes |
useradd | create user account home directory shell uid | crear usuario cuenta | creer utilisateur compte |
pgrep | pid pids processes name pattern matching look | pid procesos | pid processus |
lsblk | block devices disks partitions tree mountpoints | dispositivos bloques discos particiones | peripheriques blocs disques partitions |
tar | tar tarball archive archives gzip bzip2 xz create extract list members | archivo tar | archive tar |
head | first beginning lines bytes | primeras lineas | premieres lignes |
tail | last end lines bytes follow | ultimas lineas | dernieres lignes |
tc | traffic control qdisc queueing discipline shaping bandwidth network interface | control trafico | controle trafic |
bc | calculator arbitrary precision math library interactive scale | calculadora precision | calculatrice precision |
date | date time current format utc timestamp epoch seconds iso | fecha hora | date heure |
ip | ip address addresses route routing table link interface neighbour arp vlan | direccion ruta interfaz | adresse route interface |
dd | convert copy block size bs count disk image raw device bytes random zero | copiar bloques imagen | copier blocs image |
dd | bootable usb drive iso image clone drive disk backup restore benchmark write speed sequential random bytes urandom zero flush block size progress | usb arrancable clonar disco imagen iso | usb amorcable cloner disque image iso |
git | stage staged unstage index working tree commit amend message author branch checkout switch merge rebase interactive squash cherry-pick revert reset hard soft stash pop apply remote origin upstream fetch pull push force tag annotated clone repository submodule worktree log graph oneline blame bisect reflog diff patch hunk ignored gitignore untracked clean config alias hooks sparse lfs bundle archive notes describe shortlog grep | confirmar rama fusionar repositorio cambios preparar | valider branche fusionner depot modifications indexer |
docker | container containers image images dockerfile build tag push pull registry hub run detached interactive port publish volume bind mount network bridge compose service stack swarm node exec logs inspect prune dangling builder buildx buildkit context platform layers history save load export import stats restart policy healthcheck entrypoint | contenedor imagen registro volumen red | conteneur image registre volume reseau |
npm | node nodejs javascript package packages package.json package-lock.json dependencies devdependencies install uninstall global local scoped registry publish unpublish deprecate version semver audit fix vulnerabilities cache npx script scripts run test init outdated update link owner access team org organization two-factor 2fa token login logout whoami profile dist-tag shrinkwrap prune dedupe ci workspace workspaces | paquete javascript dependencias registro | paquet javascript dependances registre |
kubectl | kubernetes cluster pod pods deployment deployments replicaset statefulset daemonset service services namespace namespaces node nodes manifest yaml apply rollout scale autoscale expose port-forward logs exec describe label annotate taint cordon drain configmap secret ingress context kubeconfig certificate csr approve deny resource limits cpu memory | kubernetes cluster contenedores despliegue | kubernetes cluster deploiement |
systemctl | systemd service services unit units enable disable start stop restart reload status mask unmask daemon-reload daemon-reexec manager failed active inactive dependencies target default isolate timer timers socket user boot poweroff reboot suspend hibernate halt emergency rescue edit drop-in override environment property show cat list-units list-unit-files journal kill | servicio unidad arranque | service unite demarrage |
pip | python package packages pypi install uninstall requirements requirements.txt wheel wheels freeze virtualenv venv editable upgrade download index cache config check inspect show dependencies site-packages user | paquete python requisitos | paquet python exigences |
cargo | rust crate crates cargo.toml cargo.lock build compile release debug run test bench benchmark doc documentation publish yank owner login new init add remove dependency dependencies feature features workspace target install uninstall binary clippy fmt fix update vendor tree metadata package deb registry search check clean | rust paquete compilar | rust paquet compiler |
btrfs | btrfs filesystem subvolume subvolumes snapshot snapshots send receive balance scrub device devices raid quota qgroup defragment compression checksum rescue restore check property label usage | subvolumen instantanea | sous-volume instantane |
ip | ip address addresses addr route routes routing table default gateway link links interface interfaces up down neighbour neighbor arp cache vlan tunnel bridge namespace netns rule multicast mtu mac | direccion ruta interfaz enlace puerta | adresse route interface lien passerelle |
aws | aws amazon cloud s3 bucket buckets object objects ec2 instance instances lambda function iam role roles policy policies user users group cloudformation stack dynamodb table sqs queue sns topic ecr ecs eks cloudwatch logs log groups alarm secretsmanager secret ssm parameter route53 zone acm certificate authority kms key vpc subnet security region profile configure sso account billing backup plans cloud9 environment amplify app quicksight kinesis stream | nube amazon cubo instancia | nuage amazon seau instance |
gcloud | google cloud gcp project projects compute instance instances vm zone region app engine deploy auth login account configuration config set iam service-account bucket storage sql kubernetes container clusters functions run services logging | nube google proyecto | nuage google projet |
terraform | infrastructure code plan apply destroy init state workspace provider providers module modules resource resources output variables tfvars validate fmt import refresh lock graph | infraestructura plan aplicar | infrastructure plan appliquer |
echo | print text string message variable value newline escape interpret backslash colored color prompt line append file redirect environment exit status pid | imprimir texto mensaje | afficher texte message |
cat | concatenate print file contents display standard input stdin number lines show nonprinting tabs ends squeeze blank create file heredoc | mostrar contenido archivo concatenar | afficher contenu fichier concatener |
printf | format formatted print string number decimal hexadecimal octal float padding width precision escape color ansi | imprimir formato | imprimer format |
mvn | maven java project pom.xml build compile package install test clean deploy dependency dependencies artifact archetype lifecycle goal plugin offline skip tests | maven java proyecto | maven java projet |
rustup | rust toolchain toolchains stable nightly beta install update default override component components target targets cross-compile docs self | rust cadena herramientas | rust chaine outils |
bzip2 | bzip2 bz2 compress decompress compression block-sorting keep integrity ratio | comprimir bz2 | compresser bz2 |
xz | xz lzma compress decompress compression level integrity keep | comprimir xz | compresser xz |
gzip | gzip gz compress decompress compression level keep integrity ratio stdout | comprimir gz | compresser gz |
passwd | password change user account expire lock unlock status | contrasena cambiar usuario | mot passe changer utilisateur |
column | columns table tabular align format delimiter separator fill rows | columnas tabla | colonnes tableau |
expr | expression evaluate arithmetic integer length substring index match regular | expresion aritmetica | expression arithmetique |
make | makefile target targets build compile rules recipes jobs parallel | compilar objetivo | compiler cible |
unzip | unzip zip archive extract list contents test password overwrite destination | extraer zip | extraire zip |
journalctl | journal systemd logs log messages unit boot previous priority follow since until kernel disk usage vacuum rotate | registros diario | journal |
tmux | terminal multiplexer session sessions window windows pane panes attach detach split | multiplexor terminal sesion ventana | multiplexeur terminal session fenetre |
awk | pattern scanning processing language field fields column columns separator sum print lines condition | campos columnas | champs colonnes |
sort | sort sorted order lines alphabetically numerically reverse unique key field human version random | ordenar lineas | trier lignes |
patch | patch diff apply unified reverse dry-run | parche aplicar | correctif appliquer |
egrep | extended regular expression regex search pattern files lines | expresion regular extendida | expression reguliere etendue |
g++ | c++ cpp compile compiler link executable source warnings optimization standard include library debug symbols object | compilar c++ | compiler c++ |
gcc | c compile compiler link executable source warnings optimization standard include library debug symbols object preprocess assembly | compilar c | compiler c |
last | last logged users logins reboots shutdown history wtmp since until | ultimos inicios sesion | dernieres connexions |
bash | bash shell script interpreter interactive login commands execute noexec debug trace errexit | interprete shell script | interpreteur shell script |
xzgrep | search xz lzma compressed files pattern grep | buscar comprimidos xz | chercher compresses xz |
bzgrep | search bzip2 bz2 compressed files pattern grep | buscar comprimidos bz2 | chercher compresses bz2 |
agetty | alternative getty open tty port prompt login virtual console serial line baud | consola terminal | console terminal |
apt-get | package install remove purge update upgrade dist-upgrade source build-dep clean autoclean autoremove download | paquete instalar | paquet installer |
dpkg-buildpackage | build debian packages source binary unsigned sign | construir paquetes debian | construire paquets debian |
dpkg-deb | deb archive package build extract contents info control | paquete deb | paquet deb |
systemd-mount | mount transient automount unit removable media | montar unidad | monter unite |
rm | remove delete files directories recursively force interactive prompt verbose empty | eliminar borrar archivos | supprimer effacer fichiers |
mv | move rename files directories overwrite backup interactive no-clobber target | mover renombrar | deplacer renommer |
ps | processes running snapshot pid user cpu memory tree forest sort full format threads | procesos | processus |
nl | number lines numbering body header footer | numerar lineas | numeroter lignes |
pg_dump | postgresql database dump backup sql plain custom archive tables schema | base datos postgresql copia | base donnees postgresql sauvegarde |
pg_restore | postgresql restore database archive dump custom tar | restaurar postgresql | restaurer postgresql |
pg_dumpall | postgresql cluster databases dump all roles tablespaces | postgresql todas bases | postgresql toutes bases |
pinky | lightweight finger user information | informacion usuario | information utilisateur |
chcon | selinux security context label type role user change | contexto selinux | contexte selinux |
filefrag | file fragmentation extents report | fragmentacion | fragmentation |
mktemp | temporary file directory unique name safely create | temporal archivo | temporaire fichier |
pyenv | python versions version install global local shell manage | versiones python | versions python |
top | dynamic real-time processes cpu memory usage sort monitor refresh interactive | procesos tiempo real | processus temps reel |
ar | archive static library objects members create extract replace | biblioteca estatica | bibliotheque statique |
sha224sum | sha224 checksum hash digest verify | suma sha224 | somme sha224 |
sha384sum | sha384 checksum hash digest verify | suma sha384 | somme sha384 |
xzdiff | compare xz lzma compressed files diff | comparar comprimidos | comparer compresses |
zdiff | compare gzip compressed files diff | comparar comprimidos | comparer compresses |
mkfs.fat | fat vfat fat32 filesystem create format usb volume label | fat sistema archivos | fat systeme fichiers |
mkfs.ext4 | ext4 filesystem create format partition label | ext4 sistema archivos | ext4 systeme fichiers |
objcopy | copy translate object files sections strip binary | copiar objeto | copier objet |
poweroff | power off shutdown turn machine halt immediately | apagar | eteindre |
halt | halt stop machine power reboot | detener maquina | arreter machine |
setarch | architecture personality change run 32-bit | arquitectura | architecture |
look | lines beginning prefix sorted dictionary words | palabras prefijo | mots prefixe |
tr | translate characters delete squeeze replace uppercase lowercase set | traducir caracteres | traduire caracteres |
bridge | bridge ports fdb vlan forwarding database link | puente | pont |
chgrp | group ownership change files recursive | grupo propietario | groupe proprietaire |
corepack | package managers yarn pnpm shims node | gestores paquetes | gestionnaires paquets |
env | environment variables run command modified empty clear unset print | variables entorno | variables environnement |
llc | llvm bitcode compile assembly object native | llvm bitcode | llvm bitcode |
lli | llvm bitcode interpret execute jit | llvm bitcode | llvm bitcode |
pathchk | path pathname valid portable check | ruta valida | chemin valide |
valgrind | memory leaks leak check debugging profiling memcheck callgrind cachegrind | fugas memoria | fuites memoire |
yq | yaml processor query json xml toml | procesador yaml | processeur yaml |
jq | json processor query filter pretty print keys values select arrays | procesador json | processeur json |
apt-key | trusted keys apt keyring add delete list | claves apt | cles apt |
lsb_release | distribution lsb release codename description version | distribucion version | distribution version |
routel | routing table list routes | tabla rutas | table routes |
script | record terminal session typescript log replay | grabar sesion terminal | enregistrer session terminal |
scriptlive | replay typescript session recorded real time | reproducir sesion | rejouer session |
zipsplit | split zip archive smaller pieces | dividir zip | decouper zip |
bq | bigquery google datasets tables query jobs | bigquery | bigquery |
qemu-img | disk image create convert resize snapshot qcow2 raw info | imagen disco | image disque |
ipcs | ipc facilities shared memory message queues semaphores | memoria compartida | memoire partagee |
dpkg | debian package install remove purge list status contents files owner | paquete debian | paquet debian |
systemd-analyze | boot time performance blame critical-chain security verify calendar plot | tiempo arranque | temps demarrage |
systemd-firstboot | initialize basic system settings first boot locale timezone hostname root password | primer arranque | premier demarrage |
python | python interpreter script module run interactive repl http server version | interprete python | interpreteur python |
service | sysv init script service start stop restart status | servicio | service |
hostnamectl | hostname static pretty transient chassis deployment location | nombre host | nom hote |
timedatectl | time date timezone ntp synchronization rtc clock set | hora zona horaria | heure fuseau horaire |
ssh-keygen | ssh key keys generate fingerprint passphrase known_hosts ed25519 rsa | clave ssh | cle ssh |
ssh-add | ssh agent identities keys add list remove | agente ssh | agent ssh |
zip | zip archive compress add update encrypt password recursive exclude split | zip comprimir | zip compresser |
xargs | build execute command lines standard input arguments parallel batch placeholder | argumentos entrada | arguments entree |
watch | execute program periodically repeatedly interval output changes highlight | repetir periodicamente | repeter periodiquement |
crontab | cron jobs schedule scheduled table edit list remove user periodic | tareas programadas | taches planifiees |
at | schedule job later time queue | programar tarea | planifier tache |
diff | differences difference side by side unified context patch recursive brief identical | diferencias lado | differences cote |
2to3 | python 2 3 convert port code migrate fixers | convertir python | convertir python |
zsh | zsh shell interactive script execute commands | shell zsh | shell zsh |
msgattrib | gettext po message catalog attributes fuzzy obsolete translated untranslated filter | catalogo mensajes traduccion | catalogue messages traduction |
msgcat | concatenate merge gettext po message catalogs | catalogos mensajes | catalogues messages |
msgfmt | compile gettext po message catalog binary mo | compilar catalogo | compiler catalogue |
xgettext | extract gettext translatable strings source pot template | extraer cadenas traducibles | extraire chaines traduisibles |
pg_basebackup | postgresql base backup cluster replication wal streaming | copia base postgresql | sauvegarde base postgresql |
pg_receivewal | postgresql wal write-ahead log stream receive replication slot | wal postgresql | wal postgresql |
pg_config | postgresql installed version configuration compile flags paths | configuracion postgresql | configuration postgresql |
pg_isready | postgresql server connection status accepting ready | servidor postgresql listo | serveur postgresql pret |
createuser | postgresql user role create superuser | usuario postgresql | utilisateur postgresql |
createdb | postgresql database create new | crear base datos | creer base donnees |
reindexdb | postgresql reindex database indexes rebuild | reindexar postgresql | reindexer postgresql |
pgbench | postgresql benchmark tps clients transactions | rendimiento postgresql | performance postgresql |
fc-scan | font files scan fontconfig patterns | escanear fuentes | scanner polices |
mcat | mtools raw floppy disk image dump | disco mtools | disque mtools |
mcopy | mtools copy msdos fat files image floppy | copiar msdos | copier msdos |
xlsclients | x11 clients applications running display list | clientes x11 | clients x11 |
xauth | x11 authority cookies magic xauthority | autoridad x11 | autorite x11 |
xkill | kill x11 window client click | cerrar ventana | fermer fenetre |
xprop | x11 window properties atoms | propiedades ventana | proprietes fenetre |
xwininfo | x11 window information geometry tree id | informacion ventana | information fenetre |
clear | clear terminal screen scrollback | limpiar pantalla | effacer ecran |
reset | reset reinitialize terminal | reiniciar terminal | reinitialiser terminal |
llvm-dis | llvm bitcode disassemble human readable ir | llvm bitcode | llvm bitcode |
llvm-as | llvm assembler ir bitcode assemble | llvm ensamblador | llvm assembleur |
xzless | view xz lzma compressed text files pager | ver comprimidos xz | voir compresses xz |
zipcloak | zip encrypt decrypt password entries | cifrar zip | chiffrer zip |
zipgrep | search zip archive files pattern grep | buscar zip | chercher zip |
zipnote | zip comments entries edit | comentarios zip | commentaires zip |
addr2line | addresses file names line numbers debug symbols executable | direcciones lineas | adresses lignes |
dbus-daemon | d-bus message bus daemon session system | bus mensajes | bus messages |
gdbus | d-bus introspect call monitor emit objects | bus objetos | bus objets |
ldconfig | shared library cache links configure | cache bibliotecas | cache bibliotheques |
lsipc | ipc facilities shared memory message queues semaphores limits | ipc memoria | ipc memoire |
pkcon | packagekit packages install remove update refresh search | paquetes packagekit | paquets packagekit |
rtcwake | sleep suspend wake up rtc alarm clock seconds | despertar suspender | reveiller suspendre |
systemd-inhibit | inhibit block shutdown sleep idle lock | inhibir apagado | inhiber arret |
c99 | c99 c compiler standard compile | compilador c | compilateur c |
colcrt | filter nroff output terminal underline half-line | filtro nroff | filtre nroff |
jdeps | java class dependency analyzer jar | dependencias java | dependances java |
jmap | java heap memory map dump process | memoria java | memoire java |
jps | java virtual machine processes jvm list | procesos java | processus java |
jstack | java thread stack trace dump process | hilos java | threads java |
jar | java archive jar create extract list manifest | archivo java | archive java |
keytool | java keystore certificates keys | almacen claves java | magasin cles java |
qemu-system-x86_64 | virtual machine emulator boot iso disk image kvm memory cpu | maquina virtual emulador | machine virtuelle emulateur |
qemu-system-i386 | virtual machine emulator 32-bit boot iso disk image kvm | maquina virtual emulador | machine virtuelle emulateur |
rustfmt | rust format formatting code style source files | formatear rust | formater rust |
dumpe2fs | ext2 ext3 ext4 filesystem superblock block group information dump | superbloque | superbloc |
e2image | ext2 ext3 ext4 filesystem metadata image save | imagen metadatos | image metadonnees |
e2undo | ext2 ext3 ext4 undo log replay | deshacer | annuler |
fincore | pages file contents memory cache resident | cache memoria archivo | cache memoire fichier |
getconf | system configuration variables page size limits | configuracion sistema | configuration systeme |
kernel-install | kernel images boot loader install remove entries | nucleo arranque | noyau demarrage |
lslocks | local system locks held file | bloqueos | verrous |
mkfs.btrfs | btrfs filesystem create format devices raid label | crear btrfs | creer btrfs |
ptx | permuted index keywords context | indice permutado | index permute |
systemd-cgtop | control groups cgroups resource usage top cpu memory | grupos control | groupes controle |
systemd-escape | escape strings unit names paths | escapar nombres unidad | echapper noms unite |
telinit | runlevel change init | nivel ejecucion | niveau execution |
arp | arp cache neighbour table ip mac addresses | cache arp | cache arp |
basenc | encode decode base64 base32 base16 base2 | codificar decodificar | encoder decoder |
base64 | base64 encode decode data file | codificar base64 | encoder base64 |
cpan | perl modules install cpan | modulos perl | modules perl |
gpgconf | gnupg components configuration agent kill reload | configuracion gnupg | configuration gnupg |
groff | troff typesetting document formatting man pages | formato documentos | formatage documents |
groups | groups user belongs membership | grupos usuario | groupes utilisateur |
ld | linker link object files executable library | enlazador | editeur liens |
mkfifo | named pipe fifo create | tuberia nombrada | tube nomme |
sg | execute command different group id | grupo ejecutar | groupe executer |
ssh-keyscan | public ssh host keys gather known_hosts | claves host ssh | cles hote ssh |
ssh-copy-id | install ssh public key remote authorized_keys | copiar clave ssh | copier cle ssh |
dpkg-reconfigure | reconfigure installed package debconf | reconfigurar paquete | reconfigurer paquet |
findfs | find filesystem label uuid device | buscar sistema archivos etiqueta | chercher systeme fichiers etiquette |
getopt | parse command options arguments shell script | analizar opciones | analyser options |
groupmod | modify group name gid | modificar grupo | modifier groupe |
groupadd | create new group gid system | crear grupo | creer groupe |
ipcmk | create ipc resources shared memory message queue semaphore | crear ipc | creer ipc |
login | begin session system login user | iniciar sesion | ouvrir session |
mcookie | random magic cookie xauth generate | cookie aleatoria | cookie aleatoire |
mknod | block character special files device node fifo | archivos especiales dispositivo | fichiers speciaux peripherique |
runcon | run command selinux security context | contexto selinux | contexte selinux |
sensible-browser | default web browser open url | navegador predeterminado | navigateur defaut |
sensible-editor | default text editor open | editor predeterminado | editeur defaut |
size | section sizes text data bss object binary | tamanos secciones | tailles sections |
systemd-delta | overridden extended configuration files units diff | configuraciones sobrescritas | configurations remplacees |
vmstat | virtual memory statistics processes cpu io swap | estadisticas memoria virtual | statistiques memoire virtuelle |
zdump | timezone dump current time zones transitions | zona horaria | fuseau horaire |
zic | timezone compiler zone info | compilador zonas | compilateur zones |
zramctl | zram compressed ram swap devices | zram | zram |
sqlite3 | sqlite database sql query tables shell | base datos sqlite | base donnees sqlite |
perl | perl script interpreter one-liner regex | interprete perl | interpreteur perl |
pkg-config | library compile link flags cflags libs packages | bibliotecas compilacion | bibliotheques compilation |
sftp | secure file transfer ssh remote upload download | transferencia segura | transfert securise |
stdbuf | buffering standard streams line unbuffered | bufer | tampon |
vmstat | memory paging cpu activity report | memoria | memoire |
seq | sequence numbers print from to increment step width equal separator | secuencia numeros | sequence nombres |
sort | once duplicate duplicates lines compare characters | una vez duplicadas | une fois doublons |
tput | terminal capabilities colors cursor columns lines bold reverse attributes reset clear save restore | terminal colores cursor | terminal couleurs curseur |
nohup | live beyond terminal hangup survive logout background output nohup.out | sobrevivir terminal | survivre terminal |
uptime | booted boot since time running load averages users | encendido arranque | demarrage |
strings | printable strings binary file minimum length offset | cadenas imprimibles | chaines imprimables |
more | pager page file screen open display interactive | paginador | pagineur |
kill | pause resume continue stop program job signal sigstop sigcont sigusr1 sighup hang up reload terminate list signals | pausar reanudar programa | suspendre reprendre programme |
tail | last lines end file follow growing appended keep reading retry | ultimas lineas final | dernieres lignes fin |
ls | list directory contents hidden dotfiles long format permissions owners size sorted modification time recursively trailing indicator classify one per line human readable | listar contenido directorio | lister contenu repertoire |
dmesg | kernel ring buffer messages boot hardware drivers follow wait new human timestamps level | mensajes kernel | messages noyau |
uname | kernel name release version machine hardware processor operating system information all | nombre kernel | nom noyau |
id | user group identity uid gid current groups belongs real effective selinux context | identidad usuario | identite utilisateur |
cat | display contents file concatenate number lines show nonprinting tabs line ends squeeze blank create | mostrar contenido | afficher contenu |
"#;

/// Spanish and French words mapped to the English words the vocabulary uses.
pub const GLOSSARY: &str = r#"
lista list|listar list|enumera list|enumerar list|muestra show|mostrar show|muestre show|ver show|visualiza show|visualizar show|archivo file|archivos file|fichero file|ficheros file|directorio directory|directorios directory|carpeta directory|carpetas directory|crea create|crear create|cree create|elimina delete|eliminar delete|borra delete|borrar delete|suprime delete|copia copy|copiar copy|mueve move|mover move|renombra rename|renombrar rename|busca search|buscar search|encuentra find|encontrar find|descarga download|descargar download|instala install|instalar install|desinstala uninstall|actualiza update|actualizar update|inicia start|iniciar start|arranca start|deten stop|detener stop|detiene stop|para stop|reinicia restart|reiniciar restart|ejecuta run|ejecutar run|corre run|imprime print|imprimir print|comprime compress|comprimir compress|descomprime extract|descomprimir extract|extrae extract|extraer extract|cambia change|cambiar change|establece set|establecer set|configura configure|obten get|obtener get|cuenta count|contar count|linea line|lineas line|palabra word|palabras word|proceso process|procesos process|usuario user|usuarios user|grupo group|contrasena password|red network|interfaz interface|paquete package|paquetes package|servicio service|servicios service|contenedor container|contenedores container|imagen image|imagenes image|rama branch|ramas branch|repositorio repository|cambios change|registro log|registros log|disco disk|espacio space|memoria memory|tamano size|permisos permission|propietario owner|oculto hidden|ocultos hidden|actual current|todos all|todas all|nuevo new|nueva new|remoto remote|clave key|firma sign|cifra encrypt|cifrar encrypt|descifra decrypt|conexion connection|puerto port|puertos port|servidor server|salida output|entrada input|texto text|cadena string|patron pattern|reemplaza replace|reemplazar replace|ordena sort|ordenar sort|fecha date|hora time|tiempo time|ayuda help|version version|etiqueta tag|fusiona merge|sube push|empuja push|trae fetch|clona clone|estado status|diferencias diff|historial history|volumen volume|maquina machine|nucleo kernel|sistema system|arranque boot|unidad unit|entorno environment|enlace link|montar mount|desmontar unmount|particion partition|respaldo backup|primeras first|primeros first|primera first|ultimas last|ultimos last|ultima last|numero number|grande large|grandes large|vacio empty|vacios empty|confirmacion commit|confirma commit|pagina page|genera generate|generar generate|valida validate|comprueba check|comprobar check|verifica verify|verificar verify|inicializa init|instantanea snapshot|subvolumen subvolume|cubo bucket|despliegue deployment|nodo node|nodos node|clave key|secreto secret|tarea job|tareas job|muestra show|edita edit|editar edit|abre open|abrir open|cierra close|conecta connect|conectar connect|envia send|enviar send|recibe receive|escribe write|escribir write|lee read|leer read|convierte convert|convertir convert|agrega add|agregar add|anade add|anadir add|quita remove|quitar remove|sincroniza sync|aplica apply|aplicar apply|destruye destroy|construye build|construir build|compila compile|compilar compile|prueba test|pruebas test|dependencias dependency|proyecto project|modulo module|paquete package|ficheros file|ocupa usage|uso usage|libre free|disponibles available|ip ip|direccion address|actualizaciones update|mi my|equipo system|ordenador system|computadora system|nombre name|nombres name|comando command|comandos command|solo only|sin without|datos data|configuracion configuration|informacion information|valor value|valores value|interprete interpreter|programa program|programas program|sesion session|mensaje message|mensajes message|ruta path|rutas path|inicio start|caracter character|caracteres character|obtiene get|contenido content|formato format|defecto default|arbol tree|comprimido compressed|comprimidos compressed|trabajo job|trabajos job|escribe write|destino destination|convierte convert|funcion function|funciones function|estadisticas statistics|ejecucion execution|acceso access|existente existing|tipo type|instalados installed|instalado installed|dispositivo device|dispositivos device|contexto context|lee read|expresion expression|uso usage|certificado certificate|certificados certificate|nube cloud|instancia instance|instancias instance|cola queue|tema topic|suscripcion subscription|pila stack|plantilla template|registro registry|etiquetas tag|interactivo interactive|interactiva interactive|consola console|depuracion debug|depura debug|prueba test|ejecutable executable|binario binary|biblioteca library|codigo code|fuente source|compilacion build|documentacion documentation|navegador browser|pagina page|web web|servidor server|cliente client|conexiones connection|remota remote|remotos remote|descargas download|subida upload|sube upload|entorno environment|variables variable|zona zone|region region|cuenta account|cuentas account|politica policy|rol role|permiso permission|recursos resource|recurso resource|espacio space|nodos node|cluster cluster|volumenes volume|redes network|puertos port|enlaces link|simbolico symbolic|particiones partition|montaje mount|tabla table|tablas table|consulta query|columnas column|filas row|json json|yaml yaml|versiones version|actualizacion update|historia history|cambio change|confirmaciones commit|remotas remote|etiqueta tag|fusion merge|conflictos conflict|parche patch|submodulo submodule|diferencia diff|ultimo last|siguiente next|anterior previous|superior top|inferior bottom|oculta hidden|ocultas hidden|recursivamente recursive|recursivo recursive|sobrescribe overwrite|sobrescribir overwrite|mueve move|renombra rename|cifrado encrypted|contrasenas password|firma sign|firmas signature|verifica verify|sumas checksum|hash hash|aleatorio random|aleatoria random|numeros number|fecha date|segundos second|minutos minute|horas hour|dias day|semanas week|meses month|anos year|servicios service|demonio daemon|registros log|eventos event|alertas alert|monitoriza monitor|monitorea monitor|procesador cpu|memoria memory|disco disk|discos disk|uso usage
affiche show|afficher show|liste list|lister list|fichier file|fichiers file|repertoire directory|repertoires directory|dossier directory|dossiers directory|cree create|creer create|supprime delete|supprimer delete|efface delete|effacer delete|copie copy|copier copy|deplace move|deplacer move|renomme rename|renommer rename|cherche search|chercher search|recherche search|rechercher search|trouve find|trouver find|telecharge download|telecharger download|installe install|installer install|desinstalle uninstall|mettre update|met update|jour update|demarre start|demarrer start|arrete stop|arreter stop|redemarre restart|redemarrer restart|execute run|executer run|lance run|lancer run|imprime print|compresse compress|compresser compress|decompresse extract|decompresser extract|extrait extract|extraire extract|change change|changer change|modifie change|modifier change|compte count|compter count|ligne line|lignes line|mot word|mots word|processus process|utilisateur user|utilisateurs user|groupe group|passe password|reseau network|paquet package|paquets package|service service|conteneur container|conteneurs container|branche branch|depot repository|journal log|journaux log|disque disk|espace space|memoire memory|taille size|cache hidden|caches hidden|courant current|actuel current|tous all|toutes all|nouveau new|nouvelle new|distant remote|cle key|serveur server|sortie output|entree input|texte text|chaine string|motif pattern|remplace replace|remplacer replace|trie sort|trier sort|heure time|aide help|systeme system|demarrage boot|premieres first|premiers first|derniere last|dernieres last|derniers last|grand large|grands large|gros large|vide empty|vides empty|valide validate|verifie verify|verifier verify|ajoute add|ajouter add|retire remove|applique apply|construit build|compile compile|projet project|dependances dependency|adresse address|mises update|mon my|ordinateur system|nom name|noms name|commande command|commandes command|seulement only|sans without|donnees data|informations information|valeur value|valeurs value|interpreteur interpreter|programme program|session session|message message|chemin path|chemins path|caractere character|caracteres character|obtient get|obtenir get|contenu content|format format|defaut default|arbre tree|compresse compressed|tache job|taches job|ecrit write|ecrire write|destination destination|convertit convert|fonction function|statistiques statistics|acces access|existant existing|installes installed|installe install|peripherique device|peripheriques device|contexte context|lit read|lire read|expression expression|utilisation usage|certificat certificate|nuage cloud|instance instance|modele template|registre registry|interactif interactive|console console|debogage debug|executable executable|binaire binary|bibliotheque library|code code|source source|documentation documentation|navigateur browser|serveur server|client client|connexion connection|distante remote|environnement environment|variable variable|zone zone|compte account|politique policy|role role|ressource resource|ressources resource|noeud node|volume volume|partition partition|requete query|colonne column|version version|historique history|fusion merge|correctif patch|dernier last|suivant next|precedent previous|recursivement recursive|ecrase overwrite|chiffre encrypt|signature signature|aleatoire random|secondes second|minutes minute|heures hour|jours day|demon daemon|evenements event|processeur cpu
calcula calculate|calcular calculate|comprobacion checksum|verificacion verify|senal signal|senales signal|disponible available|disponibles available|objeto object|objetos object|suma sum|igual equal|espacios space|grupos group|guion script|resultado result|resultados result|segundo second|predeterminado default|predeterminada default|termina terminate|terminar terminate|bloque block|bloques block|entradas entry|operacion operation|falla fail|primer first|mayusculas uppercase|minusculas lowercase|compara compare|comparar compare|unidades unit|columna column|detalles detail|detallada detail|aplicacion application|interactivamente interactive|claves key|identificador identifier|compresion compression|activa active|activo active|partes part|prioridad priority|seguridad security|apaga shutdown|apagar shutdown|monta mount|desmonta unmount|campo field|campos field|publica public|publico public|guarda save|guardar save|limpia clean|limpiar clean|filtra filter|filtrar filter|referencias reference|referencia reference|marcados marked|devuelve return|elementos item|elemento item|operativo operating|largo long|indice index|opciones option|opcion option|perfil profile|informe report|ignorando ignore|ignora ignore|coincidencia match|coincidencias match|coincidan match|coinciden match|coincida match|coincidente match|coincidentes match|recupera retrieve|presionar press|plano plain|simbolicos symbolic|simbolica symbolic|cero zero|habilita enable|habilitar enable|deshabilita disable|deshabilitar disable|desactiva disable|cancela cancel|autor author|revierte revert|evita avoid|hexadecimal hex|espera wait|esperar wait|recompila recompile|completo full|completa full|vuelca dump|volcar dump|administrador administrator|ejecute run|existe exist|expresiones expression|contenidos content|maximo maximum|recursiva recursive|raiz root|reconstruye rebuild|sigue follow|seguir follow|cierre close|veces times|prefijo prefix|rango range|modificados modified|modificado modified|modifica change|optimiza optimize|omite skip|origen source|ubicacion location|metadatos metadata|sistemas system|recuento count|progreso progress|divide split|dividir split|vecinos neighbor|argumentos argument|argumento argument|lenguaje language|excepto except|hilos thread|flujo stream|estandar standard|comunes common|leyendo read|errores error|propiedades property|propiedad property|rastreados tracked|preparacion staging|blanco blank|descarta discard|longitud length|subcadena substring|analiza analyze|analizar analyze|escanea scan|escanear scan|mata kill|matar kill|finaliza terminate|desconecta disconnect|une join|formatea format|reanuda resume|pausa pause|suspende suspend|bloquea lock|desbloquea unlock|comparte share|ejecutandose running|llamada call|sustituye replace|cadenas string|enlaza link|vinculo link|sincronizar sync|traduce translate|pega paste|recorta cut|sonido sound|pantalla screen|ventana window|teclado keyboard|raton mouse|impresora printer|correo mail|dueno owner|idioma language|codificacion encoding|tablas table|diccionario dictionary|temporal temporary|temporales temporary|volcado dump|depurador debugger|hilo thread|modulos module|tamanos size|aleatorios random|secuencia sequence|ordenadas sorted|ordenado sorted|inverso reverse|inversa reverse|invierte reverse|mismo same|misma same|diferente different|ambos both|monitorea monitor|vigila watch|observa watch|mostrando show|muestran show|listado list|agrupa group
modo mode|virtual virtual|virtuales virtual|realiza perform|dominio domain|dominios domain|sale exit|captura capture|reproduce play|reproduccion playback|repositorios repository|carga load|cargar load|fuerza force|personalizado custom|personalizados custom|personalizada custom|credenciales credential|selecciona select|portapapeles clipboard|solicita request|solicitud request|solicitudes request|almacenamiento storage|reglas rule|regla rule|serie serial|autenticacion authentication|entra enter|restaura restore|restaurar restore|resumen summary|nivel level|niveles level|multiples multiple|colores color|agente agent|trafico traffic|velocidad speed|comienza start|empieza start|almacen store|almacena store|nuevas new|busqueda search|paginas page|aplicaciones application|limita limit|barra bar|incluye include|sitio site|registra log|graba record|extensiones extension|primero first|direcciones address|gestor manager|conectado connected|conectados connected|emite emit|complemento plugin|complementos plugin|fragmento fragment|fragmentos fragment|instalada installed|instaladas installed|fondo background|documento document|final end|finales end|codigos code|recarga reload|transmision stream|requiere require|predeterminados default|problemas problem|existentes existing|respuesta response|pixel pixel|pixeles pixel|continua continuous|adicionales additional|transacciones transaction|listas list|orden order|toma take|automatico automatic|contengan contain|contiene contain|contenga contain|subcomando subcommand|accion action|menos less|sincronizacion sync|plataforma platform|politicas policy|marca mark|eliminacion delete|escala scale|unico unique|instalacion install|restablece reset|encabezados header|encabezado header|cabecera header|informa report|escaneo scan|brillo brightness|grafico graphic|grafica graphic|graficos graphic|activos active|pares pair|conjunto set|subprocesos subprocess|previa preview|residente resident|modelo model|aumenta increase|repara repair|reparar repair|huerfanos orphan|posee own|reciente recent|sesiones session|lectura read|privada private|identidad identity|ancho width|dependencia dependency|inventario inventory|simbolos symbol|estilo style|individuales individual|cancion song|marcadores bookmark|patrones pattern|excluyendo exclude|bibliotecas library|renderiza render|procesar process|silencioso quiet|opcional optional|descripcion description|separados separated|fechas date|diagrama diagram|inicial initial|analisis analysis|importa import|principales main|redimensiona resize|vista view|esquema schema|escucha listen|ejecutables executable|arrancar boot|bloqueo lock|logicos logical|ajusta adjust|dia day|bordes border|estados state|despliega deploy|privilegios privilege|paralelo parallel|seguro secure|salta skip|profundidad depth|advertencias warning|visualizacion display|maquinas machine|descomprimido decompressed|nube cloud
faltan missing|falta missing|faltantes missing|conocida known|conocido known|conocidos known|reformatea format|asignacion allocation|tres three|dos two|alrededor around|posicion position|objetivo target|objetivos target|representacion representation|seccion section|secciones section|validez validity|regular regular|regulares regular|lento slow|rapido fast|confianza trust|reporta report|cuantos count|cuantas count|equivalente equivalent|izquierda left|derecha right|analizador analyzer|analizadores analyzer|definicion definition|definiciones definition|decodifica decode|decodificar decode|codifica encode|codificar encode|matematica math|matematicas math|distinguir distinguish|danado damaged|danados damaged|repeticiones repetition|momento moment|sintaxis syntax|exacta exact|exacto exact|extendidas extended|extendida extended|extendidos extended|interrumpidas interrupted|curso progress|equilibrio balance|equilibra balance|equilibrar balance|superbloque superblock|corrige fix|corregir fix|arregla fix|cuota quota|cuotas quota|puntuacion score|duplicadas duplicate|duplicados duplicate|duplicada duplicate|duplicado duplicate|pertenencia membership|enrutamiento routing|arquitectura architecture|retorno return|miembro member|miembros member|separador separator|delimitador delimiter|integridad integrity|compilador compiler|tabuladores tab|tabulador tab|repetidos repeated|repetidas repeated|aparicion occurrence|apariciones occurrence|clase class|clases class|nulo null|parrafo paragraph|parrafos paragraph|insercion insertion|inserciones insertion|histograma histogram|exporta export|exportar export|importar import|pertenece belong|pertenecen belong|numerico numeric|numericos numeric|intentos attempt|reintento retry|reintentar retry|hoy today|ayer yesterday|manana tomorrow|ingles english|breve short|frase phrase|adjunta attach|adjuntar attach|desadjunta detach|sesion session|ventanas window|panel pane|paneles pane|contrasena password|cifrada encrypted|apagado shutdown|suspender suspend|hiberna hibernate|temporizador timer|programar schedule|programada scheduled|bajo low|alto high|mayor greater|menor less|igualdad equal|vacia empty|vacias empty|oculto hidden|largo long|legible readable|humanos human|humano human|arreglo array|matriz array|cabeceras header|pie footer|adjunto attachment|correo mail|descomprimidos decompressed|empaqueta pack|desempaqueta unpack|paquete package|imprime print|anterior previous|ultimas last|antiguedad age|antiguos old|antiguo old|nuevo new|recientes recent|menos less|cifra encrypt|desencripta decrypt|encripta encrypt|permanentemente permanent|papelera trash|basura trash|huesped guest|invitado guest|anfitrion host|origen source|espejo mirror|actuales current|predeterminadas default|vivo live|lanza launch|lanzar launch|cierra close|salir exit|sale exit|ejecutarlo run|ejecutando running|ejecutandose running|tournent running|tourne running|tournant running|escuchando listen|abiertos open|abierto open|ouverts open|ouvert open|ecoute listen
"#;

/// A tool's distinctive objects: when a request names all the words of a line (English, after
/// the glossary and stemming), that tool gains the given weight in the ranking. A container
/// is Docker's, a commit Git's, a pod Kubernetes', whatever verb comes with it.
///
/// Line format: `words | tool | weight`; the tool `PKG` is this machine's package manager.
pub const OBJECTS: &str = r#"
container | docker | 6
dockerfile | docker | 8
image push | docker | 5
image pull | docker | 5
image registry | docker | 4
image build | docker | 3
image tag | docker | 3
compose | docker | 4
repository | git | 4
repo | git | 4
commit | git | 6
branch | git | 6
stash | git | 8
rebase | git | 8
cherry-pick | git | 8
upstream | git | 4
staged | git | 6
staging | git | 5
untracked | git | 6
tracked | git | 4
working tree | git | 6
remote | git | 2
submodule | git | 8
worktree | git | 8
gitignore | git | 8
pod | kubectl | 8
namespace | kubectl | 6
namespac | kubectl | 6
deployment | kubectl | 6
kubernete | kubectl | 8
kubernetes | kubectl | 8
kubeconfig | kubectl | 8
bucket | aws | 6
s3 | aws | 8
ec2 | aws | 8
iam | aws | 8
lambda function | aws | 6
certificate authority | aws | 4
dynamodb | aws | 8
cloudformation | aws | 8
subvolume | btrfs | 8
balance filesystem | btrfs | 4
scrub | btrfs | 6
raid1 | btrfs | 3
tarball | tar | 8
archive create | tar | 3
archive extract | tar | 3
archive list | tar | 2
last line | tail | 5
follow file | tail | 3
first line | head | 5
temporary file create | mktemp | 6
temporary file make | mktemp | 6
temporary directory create | mktemp | 6
temporary directory make | mktemp | 6
sequence number | seq | 5
sequence | seq | 3
running process | ps | 3
man page | man | 8
manual page | man | 8
network interface | ip | 4
routing table | ip | 5
route | ip | 3
arp | ip | 2
neighbour | ip | 4
neighbor | ip | 4
virtual environment | pyenv | 3
python version | pyenv | 3
zstd | zstd | 8
zst | zstd | 8
lzma | xz | 4
bz2 | bzip2 | 6
tmux | tmux | 8
pane | tmux | 6
terminal session | tmux | 3
ssh-agent | ssh-add | 6
agent key | ssh-add | 4
block device | lsblk | 4
storage device | lsblk | 4
yaml | yq | 4
json | jq | 4
unit service | systemctl | 3
unit | systemctl | 2
journal | journalctl | 5
log unit | journalctl | 4
log boot | journalctl | 4
hexadecimal | xxd | 3
hex dump | hexdump | 4
package.json | npm | 8
npm | npm | 8
node module | npm | 5
javascript package | npm | 6
python package | pip | 6
requirements.txt | pip | 8
crate | cargo | 6
cargo.toml | cargo | 8
rust | cargo | 3
toolchain | rustup | 6
maven | mvn | 8
pom.xml | mvn | 8
terraform | terraform | 8
infrastructure | terraform | 4
gcloud | gcloud | 8
google cloud | gcloud | 8
javascript | node | 4
javascript file | node | 6
hidden list | ls | 4
long format | ls | 3
long listing | ls | 3
non-blank | nl | 5
number line | nl | 5
line begin prefix | look | 4
shared memory | ipcs | 6
message queue | ipcs | 4
semaphore | ipcs | 6
ipc | ipcs | 4
compress pattern | zgrep | 4
compress grep | zgrep | 5
login shell | chsh | 6
available shell | chsh | 4
username change | usermod | 5
user change shell | chsh | 4
transient | systemd-run | 6
startup time | systemd-analyze | 5
boot time | systemd-analyze | 4
critical chain | systemd-analyze | 8
kernel parameter | sysctl | 5
kernel variable | sysctl | 5
immutable | chattr | 8
mutable | chattr | 6
attribute file | lsattr | 2
damaged block | e2fsck | 5
check filesystem | e2fsck | 3
repair filesystem | e2fsck | 4
file lock | flock | 6
lock command | flock | 4
octal permission | stat | 5
current date | date | 5
current time | date | 4
character set | tr | 5
translate character | tr | 5
squeeze character | tr | 4
user create | useradd | 6
user new | useradd | 3
loaded key | ssh-add | 4
pid match | pgrep | 4
process pid name | pgrep | 3
login history | last | 6
last login | last | 5
shared memory create | ipcmk | 10
shared memory delete | ipcrm | 10
shared memory remove | ipcrm | 10
swap enable | swapon | 6
swap disable | swapoff | 6
swap area create | mkswap | 8
copy remote | scp | 3
attribute list | lsattr | 4
attribute show | lsattr | 4
database all dump | pg_dumpall | 5
namespace process | nsenter | 8
encrypt sign | gpg | 5
gpg | gpg | 6
docker-compose | docker | 8
session attach | tmux | 6
session detach | tmux | 6
window split | tmux | 4
python 2 3 | 2to3 | 16
memory human-readable | free | 4
memory usage | free | 3
system information | uname | 4
signal list | kill | 4
package install | PKG | 4
package remove | PKG | 4
package uninstall | PKG | 4
package upgrade | PKG | 4
package update | PKG | 3
package search | PKG | 3
package installed list | PKG | 3
target switch | systemctl | 4
graphical target | systemctl | 6
default target | systemctl | 4
unit signal | systemctl | 6
unit kill | systemctl | 6
automount unit | systemctl | 6
unit enable | systemctl | 4
unit disable | systemctl | 4
cluster | kubectl | 3
node port | kubectl | 6
manifest | kubectl | 3
login information | last | 4
signature commit | git | 6
signature tag | git | 6
unreachable object | git | 8
object pack | git | 6
repack | git | 8
ref | git | 4
conflict | git | 4
unstaged | git | 8
gitweb | git | 8
peer dependency | npm | 8
dev dependency | npm | 4
deduplication | npm | 6
dedupe | npm | 6
shrinkwrap | npm | 8
sbom | npm | 4
global prefix | npm | 5
extraneous package | npm | 6
script run | npm | 4
stack template | aws | 6
cloudformation stack | aws | 8
msk | aws | 8
ami | aws | 8
amazon | aws | 8
region | aws | 3
table item | aws | 5
codeartifact | aws | 8
image remove | docker | 5
image search | docker | 5
image list | docker | 3
registry login | docker | 5
registry log | docker | 5
container memory | docker | 4
port bind | docker | 4
resource definition | kubectl | 6
rollout | kubectl | 6
roll update | kubectl | 5
kustomization | kubectl | 8
kustomization.yaml | kubectl | 8
execution plan | terraform | 8
input variable | terraform | 6
gke | gcloud | 8
persistent disk | gcloud | 6
application default credential | gcloud | 8
lifecycle phase | mvn | 8
phase | mvn | 4
multi-module | mvn | 6
python version | pyenv | 6
virtualenv | pyenv | 4
raid | btrfs | 4
extent tree | btrfs | 6
checksum tree | btrfs | 6
tun | ip | 6
tap device | ip | 6
unit manual page | systemctl | 12
inhibitor | systemctl | 6
kexec | systemctl | 6
preset | systemctl | 6
enablement | systemctl | 8
host triple | rustup | 8
rust documentation | rustup | 5
key ssh-agent | ssh-add | 28
message boot | journalctl | 4
message priority | journalctl | 5
message unit | journalctl | 4
.deb | dpkg | 6
package own file | dpkg | 6
local package file | dpkg | 5
swarm | docker | 8
unused data | docker | 5
volume | docker | 2
resource | kubectl | 3
revision | kubectl | 3
api path | kubectl | 4
environment block | systemctl | 6
service manager | systemctl | 6
boot mode | systemctl | 5
boot gui | systemctl | 5
boot cli | systemctl | 5
root filesystem switch | systemctl | 6
hexadecimal representation | hexdump | 5
ascii hexadecimal | hexdump | 6
job process | jobs | 5
job status | jobs | 4
job list | jobs | 5
stopped job | jobs | 5
file descriptor | exec | 5
signal received | trap | 8
signal receive | trap | 8
signal ignore | trap | 6
path template | mktemp | 5
name template | mktemp | 4
tmpdir | mktemp | 8
loop construct | help | 6
builtin command | help | 6
keyboard type | read | 5
typed character | read | 5
process tree | pstree | 6
ipc delete | ipcrm | 8
ipc remove | ipcrm | 8
semaphore delete | ipcrm | 10
semaphore remove | ipcrm | 10
queue delete ipc | ipcrm | 6
lock list | lslocks | 8
cpu online | lscpu | 6
cpu offline | lscpu | 6
cpu cache | lscpu | 6
btrfs filesystem create | mkfs.btrfs | 10
kernel state | sysctl | 6
zombie process | top | 5
hosted zone | aws | 8
receipt rule | aws | 8
instance reboot | aws | 6
instance image | aws | 3
broker | aws | 4
system log | journalctl | 6
log show | journalctl | 4
log view | journalctl | 4
log message | journalctl | 3
log write | logger | 6
log message write | logger | 4
log entry add | logger | 6
resource taint | terraform | 6
plan | terraform | 3
sdk component | gcloud | 6
cloud sdk | gcloud | 6
compute engine | gcloud | 6
month day | cal | 4
calendar | cal | 4
job active | jobs | 5
node cluster | kubectl | 4
node drain | kubectl | 6
node cordon | kubectl | 8
node taint | kubectl | 8
replicaset | kubectl | 8
statefulset | kubectl | 8
daemonset | kubectl | 8
configmap | kubectl | 8
ingress | kubectl | 6
serviceaccount | kubectl | 8
kustomize | kubectl | 8
port-forward | kubectl | 6
buildx | docker | 8
builder | docker | 3
dangling | docker | 6
container log | docker | 4
container image | docker | 4
swarm node | docker | 6
compose service | docker | 5
sqs | aws | 8
sns | aws | 8
ecr | aws | 6
ecs | aws | 8
eks | aws | 8
route53 | aws | 8
cloudwatch | aws | 8
kinesis | aws | 8
quicksight | aws | 8
arn | aws | 8
cloud9 | aws | 8
secretsmanager | aws | 8
rds | aws | 6
vpc | aws | 6
queue url | aws | 5
gcp | gcloud | 8
app engine | gcloud | 6
cloud sql | gcloud | 6
kms keyring | gcloud | 6
gcloud cli | gcloud | 8
dist-tag | npm | 8
node_modules | npm | 8
package-lock.json | npm | 8
npx | npm | 6
npmrc | npm | 8
crates.io | cargo | 8
rustc | cargo | 4
clippy | cargo | 6
rustdoc | cargo | 6
yank | cargo | 8
rustup | rustup | 8
pypi | pip | 8
wheel | pip | 6
site-packages | pip | 8
reflog | git | 8
bisect | git | 8
blame | git | 6
tree object | git | 6
commit hash | git | 4
head commit | git | 4
empty file create | touch | 4
"#;

/// How often a tool is the one meant, relative to others matching a request as well: the
/// everyday tools of their field (the container, cloud and package tools most people use)
/// win close calls against specialised or rarer ones. Tools whose words are everywhere
/// (version control, the system package manager, the journal, encryption) match many
/// requests weakly and are meant less often than their matches suggest. `tool | factor`.
pub const PRIORS: &str = r#"
git | 1.02
docker | 1.32
aws | 1.44
npm | 1.21
kubectl | 1.21
pip | 1.25
systemctl | 0.94
apt | 0.77
gpg | 0.77
journalctl | 0.77
head | 0.77
"#;
